/** Overview: every queue and topic, live throughput / failure / wait charts, bulk actions. */
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import type { QueueCounts } from '../../api/types.js';
import { retryAllFailed, runSteps, type Progress, type Step } from '../../bulk.js';
import { Chart } from '../../charts/Chart.js';
import { alertLevel, formatAge } from '../../charts/series.js';
import { ConfirmButton, ProgressBar } from '../../components/ui.js';
import { liveSeries, useLive } from '../../hooks/live.js';
import { invalidate } from '../../hooks/store.js';
import { href } from '../../router.js';
import { useCanAct } from '../../role.js';
import { TopicTable } from '../Topics/Topics.js';

const RATES = [
  { label: 'completed/s', color: '#2a9d4b' },
  { label: 'failed/s', color: '#d1342f' },
];
const WAIT = [{ label: 'oldest waiting (s)', color: '#c77c02' }];

export function QueueTable({
  queues,
  selected,
  onSelect,
}: {
  queues: QueueCounts[];
  selected?: Set<string>;
  onSelect?: (name: string, on: boolean) => void;
}) {
  return (
    <table class="queues">
      <thead>
        <tr>
          {onSelect && <th />}
          <th>queue</th>
          <th>waiting</th>
          <th>active</th>
          <th>delayed</th>
          <th>failed</th>
          <th>completed</th>
          <th title="completions in the last full minute (0 during a queue's first minute)">
            done, last min
          </th>
          <th>oldest waiting</th>
        </tr>
      </thead>
      <tbody>
        {queues.map((q) => (
          <tr key={q.name} data-queue={q.name} class={`level-${alertLevel(q.oldestWaitingAgeMs)}`}>
            {onSelect && (
              <td>
                <input
                  type="checkbox"
                  aria-label={`select ${q.name}`}
                  checked={selected?.has(q.name)}
                  onChange={(e) => onSelect(q.name, (e.target as HTMLInputElement).checked)}
                />
              </td>
            )}
            <td>
              <a href={href.queue(q.name)}>{q.name}</a>
              {q.paused && <span class="badge">paused</span>}
            </td>
            <td>{q.waiting}</td>
            <td>{q.active}</td>
            <td>{q.delayed}</td>
            <td class={q.failed > 0 ? 'bad' : ''}>{q.failed}</td>
            <td>{q.completed}</td>
            <td>{q.perMinute.completed}</td>
            <td class="age">{formatAge(q.oldestWaitingAgeMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Overview() {
  const snap = useLive();
  const canAct = useCanAct();
  const [selected, setSelected] = useState(new Set<string>());
  const [progress, setProgress] = useState<Progress>();
  const total = liveSeries();
  const queues = snap?.queues ?? [];
  const bulk = async (steps: Step[]) => {
    await runSteps(steps, setProgress);
    invalidate();
  };
  const names = [...selected];
  return (
    <div class="page overview">
      <h1>Overview</h1>
      <div class="charts">
        <Chart title="Throughput, all queues" series={RATES} data={total.rates()} unit="/s" />
        <Chart title="Oldest waiting job" series={WAIT} data={total.wait()} unit="s" />
      </div>
      <h2>Queues {snap ? `(${queues.length})` : '(connecting…)'}</h2>
      {canAct && (
        <div class="actions">
          <span>{names.length} selected</span>
          <ConfirmButton
            label="Retry failed"
            question={`Retry every failed job of ${names.length} queue(s)?`}
            onConfirm={() => bulk(retryAllFailed(names))}
          />
          <ConfirmButton
            label="Pause"
            question={`Pause ${names.length} queue(s)?`}
            onConfirm={() => bulk(names.map((n) => async () => (await api.pause(n), 1)))}
          />
          <ConfirmButton
            label="Resume"
            question={`Resume ${names.length} queue(s)?`}
            onConfirm={() => bulk(names.map((n) => async () => (await api.resume(n), 1)))}
          />
          <ProgressBar p={progress} />
        </div>
      )}
      <QueueTable
        queues={queues}
        selected={selected}
        {...(canAct
          ? {
              onSelect: (name: string, on: boolean) => {
                const next = new Set(selected);
                if (on) next.add(name);
                else next.delete(name);
                setSelected(next);
              },
            }
          : {})}
      />
      <h2>Topics</h2>
      <TopicTable />
    </div>
  );
}
