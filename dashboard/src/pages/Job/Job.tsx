/** One job: payload, meta, attempts with error and stack, result, timeline; retry/remove/promote. */
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import type { JobWire } from '../../api/types.js';
import { Card, ConfirmButton, ErrorLine, Json } from '../../components/ui.js';
import { queueScope } from '../../hooks/keys.js';
import { useJob } from '../../hooks/resources.js';
import { invalidate } from '../../hooks/store.js';
import { href } from '../../router.js';
import { useCanAct } from '../../role.js';

/** The job's life as dated steps, oldest first (pure: tested). */
export function timeline(j: JobWire): { at: number; what: string }[] {
  const steps = [{ at: j.createdAt, what: 'added' }];
  for (const [i, a] of j.history.entries())
    steps.push({
      at: a.at,
      what: `attempt ${i + 1} ${a.stalled ? 'stalled' : 'failed'}: ${a.error}`,
    });
  // The running attempt's start (a finished attempt's start is not a step of its own).
  if (j.state === 'active' && j.processedOn !== undefined)
    steps.push({ at: j.processedOn, what: `attempt ${j.history.length + 1} started` });
  if (j.timestamp !== undefined) {
    const what =
      j.state === 'delayed' ? 'due' : j.state === 'active' ? 'lease until' : (j.state ?? 'seen');
    steps.push({ at: j.timestamp, what });
  }
  return steps.sort((a, b) => a.at - b.at);
}

const when = (ms: number | undefined) =>
  ms === undefined ? '–' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** The job's fields: counts, attempt times, last error, progress (pure of fetching: tested). */
export function JobFields({ job: j }: { job: JobWire }) {
  return (
    <dl class="fields">
      <dt>name</dt>
      <dd>{j.name || '–'}</dd>
      <dt>priority</dt>
      <dd>{j.priority}</dd>
      <dt>attempts made</dt>
      <dd data-field="attemptsMade">{j.attemptsMade}</dd>
      <dt>attempts started</dt>
      <dd data-field="attemptsStarted">{j.attemptsStarted ?? '–'}</dd>
      <dt>processed</dt>
      <dd data-field="processedOn">{when(j.processedOn)}</dd>
      <dt>finished</dt>
      <dd data-field="finishedOn">{when(j.finishedOn)}</dd>
      <dt>stalls</dt>
      <dd>{j.totalStalls}</dd>
      {j.failedReason !== undefined && (
        <>
          <dt>last error</dt>
          <dd data-field="failedReason">{j.failedReason}</dd>
        </>
      )}
      {j.progress !== undefined && (
        <>
          <dt>progress</dt>
          <dd data-field="progress">{JSON.stringify(j.progress)}</dd>
        </>
      )}
    </dl>
  );
}

/** The lines the job's handler logged, oldest first. */
export function JobLogs({ logs }: { logs: readonly string[] | undefined }) {
  if (!logs?.length) return <p class="muted">no log line</p>;
  return <pre class="logs">{logs.join('\n')}</pre>;
}

export function JobPage({ queue, id }: { queue: string; id: string }) {
  const { data: j, error } = useJob(queue, id);
  const canAct = useCanAct();
  const [actionError, setActionError] = useState<Error>();
  const act = async (f: () => Promise<unknown>, leave = false) => {
    setActionError(undefined);
    try {
      await f();
      invalidate(queueScope(queue));
      if (leave) location.hash = href.queue(queue);
    } catch (err) {
      setActionError(err as Error);
    }
  };
  return (
    <div class="page job">
      <p class="crumbs">
        <a href={href.overview()}>Overview</a> / <a href={href.queue(queue)}>{queue}</a> / {id}
      </p>
      <h1>
        Job {id} {j?.state && <span class={`badge state-${j.state}`}>{j.state}</span>}
      </h1>
      <ErrorLine error={error ?? actionError} />
      {canAct && j && (
        <div class="actions">
          {j.state === 'failed' && (
            <ConfirmButton
              label="Retry"
              question={`Retry job ${id}?`}
              onConfirm={() => act(() => api.retryFailed(queue, [id]))}
            />
          )}
          {j.state === 'delayed' && (
            <ConfirmButton
              label="Promote"
              question={`Run job ${id} now?`}
              onConfirm={() => act(() => api.promote(queue, id))}
            />
          )}
          {j.state !== 'active' && (
            <ConfirmButton
              label="Remove"
              danger
              question={`Remove job ${id}?`}
              onConfirm={() => act(() => api.remove(queue, id), true)}
            />
          )}
        </div>
      )}
      {j && (
        <div class="grid">
          <Card title="Job">
            <JobFields job={j} />
          </Card>
          <Card title="Timeline">
            <ol class="timeline">
              {timeline(j).map((s, i) => (
                <li key={i}>
                  <time>{new Date(s.at).toISOString().replace('T', ' ').slice(0, 19)}</time>{' '}
                  {s.what}
                </li>
              ))}
            </ol>
          </Card>
          <Card title="Payload">
            <Json value={j.data} />
          </Card>
          <Card title="Meta">
            <Json value={j.meta} />
          </Card>
          <Card title="Result">
            <Json value={j.returnValue} />
          </Card>
          <Card title={`Logs (${j.logs?.length ?? 0})`}>
            <JobLogs logs={j.logs} />
          </Card>
          <Card title={`Attempts (${j.history.length})`}>
            {j.history.length === 0 && <p class="muted">no failed attempt</p>}
            {j.history.map((a, i) => (
              <details key={i} class="attempt" open={i === j.history.length - 1}>
                <summary>
                  #{i + 1} {a.stalled ? 'stalled' : 'failed'}: <b>{a.error}</b>
                </summary>
                {a.stack && <pre class="stack">{a.stack}</pre>}
              </details>
            ))}
          </Card>
        </div>
      )}
    </div>
  );
}
