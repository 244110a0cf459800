/** One queue: counts, live and history charts, actions, jobs by state, search. */
import { api } from '../../api/client.js';
import { JOB_STATES, type JobState } from '../../api/types.js';
import { Chart } from '../../charts/Chart.js';
import { alertLevel, formatAge, historyData, sum } from '../../charts/series.js';
import { ConfirmButton, Counts, ErrorLine } from '../../components/ui.js';
import { queueScope } from '../../hooks/keys.js';
import { liveSeries, useLive } from '../../hooks/live.js';
import { useHistory, useQueue } from '../../hooks/resources.js';
import { invalidate } from '../../hooks/store.js';
import { href, setParams } from '../../router.js';
import { useCanAct } from '../../role.js';
import { JobsPanel } from './JobsPanel.js';
import { SearchPanel } from './SearchPanel.js';

const SERIES = [
  { label: 'completed', color: '#2a9d4b' },
  { label: 'failed', color: '#d1342f' },
];

function HistoryChart({ queue, range }: { queue: string; range: '1h' | '7d' }) {
  const { data, error } = useHistory(queue, range);
  if (error) return <ErrorLine error={error} />;
  if (!data) return <p>loading history…</p>;
  return (
    <Chart
      title={`Last ${range === '1h' ? 'hour, per minute' : '7 days, per hour'} · ${sum(data.completed)} completed, ${sum(data.failed)} failed`}
      series={SERIES}
      data={historyData(data)}
    />
  );
}

export function QueuePage({ queue, params }: { queue: string; params: URLSearchParams }) {
  const snap = useLive();
  const fallback = useQueue(queue);
  const canAct = useCanAct();
  const live = snap?.queues.find((q) => q.name === queue);
  const q = live ?? fallback.data;
  const state = (JOB_STATES as string[]).includes(params.get('state') ?? '')
    ? (params.get('state') as JobState)
    : 'waiting';
  const range = params.get('range') === '7d' ? '7d' : '1h';
  const after = () => invalidate(queueScope(queue));
  const series = liveSeries(queue);
  return (
    <div class="page queue">
      <p class="crumbs">
        <a href={href.overview()}>Overview</a> / {queue}
      </p>
      <h1>
        {queue} {q?.paused && <span class="badge">paused</span>}
      </h1>
      <ErrorLine error={fallback.error} />
      {q && (
        <>
          <Counts
            c={{
              waiting: q.waiting,
              active: q.active,
              delayed: q.delayed,
              failed: q.failed,
              completed: q.completed,
            }}
          />
          <p class={`level-${alertLevel(q.oldestWaitingAgeMs)}`}>
            Oldest waiting job: <b class="age">{formatAge(q.oldestWaitingAgeMs)}</b> · totals{' '}
            {q.totals.completed} completed, {q.totals.failed} failed
          </p>
        </>
      )}
      {canAct && q && (
        <div class="actions">
          {q.paused ? (
            <ConfirmButton
              label="Resume"
              question={`Resume ${queue}?`}
              onConfirm={async () => (await api.resume(queue), after())}
            />
          ) : (
            <ConfirmButton
              label="Pause"
              question={`Pause ${queue}? Workers stop taking its jobs; active jobs finish.`}
              onConfirm={async () => (await api.pause(queue), after())}
            />
          )}
          <ConfirmButton
            label="Retry all failed"
            question={`Move every failed job of ${queue} back to waiting?`}
            onConfirm={async () => (await api.retryFailed(queue), after())}
          />
          <ConfirmButton
            label="Clear"
            danger
            question={`Remove every waiting and delayed job of ${queue}? This cannot be undone.`}
            onConfirm={async () => (await api.clear(queue), after())}
          />
        </div>
      )}
      <div class="charts">
        <Chart title="Live throughput" series={SERIES} data={series.rates()} unit="/s" />
        <div>
          <div class="tabs">
            {(['1h', '7d'] as const).map((r) => (
              <a
                key={r}
                class={r === range ? 'on' : ''}
                href={href.queue(queue, { ...Object.fromEntries(params), range: r })}
              >
                {r}
              </a>
            ))}
          </div>
          <HistoryChart key={range} queue={queue} range={range} />
        </div>
      </div>
      <SearchPanel queue={queue} params={params} />
      <div class="tabs states">
        {JOB_STATES.map((s) => (
          <a
            key={s}
            class={s === state ? 'on' : ''}
            onClick={(e) => {
              e.preventDefault();
              setParams(queue, params, { state: s, offset: undefined });
            }}
            href={href.queue(queue, { state: s })}
          >
            {s} {q ? `(${q[s]})` : ''}
          </a>
        ))}
      </div>
      <JobsPanel
        queue={queue}
        state={state}
        offset={Number(params.get('offset') ?? 0) || 0}
        params={params}
      />
    </div>
  );
}
