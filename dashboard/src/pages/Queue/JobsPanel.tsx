/** Jobs of one state with paging, selection and bulk retry / remove with a progress bar. */
import { useState } from 'preact/hooks';
import type { JobState, JobWire } from '../../api/types.js';
import {
  removeSelected,
  removeState,
  retrySelected,
  runSteps,
  type Progress,
  type Step,
} from '../../bulk.js';
import { formatAge } from '../../charts/series.js';
import { ConfirmButton, ErrorLine, ProgressBar } from '../../components/ui.js';
import { queueScope } from '../../hooks/keys.js';
import { useJobs } from '../../hooks/resources.js';
import { invalidate } from '../../hooks/store.js';
import { href, setParams } from '../../router.js';
import { useCanAct } from '../../role.js';

export const PAGE = 20;

export function JobRows({
  jobs,
  selected,
  onSelect,
}: {
  jobs: JobWire[];
  selected?: Set<string>;
  onSelect?: (id: string, on: boolean) => void;
}) {
  return (
    <table class="jobs">
      <thead>
        <tr>
          {onSelect && <th />}
          <th>id</th>
          <th>name</th>
          <th>state</th>
          <th>attempts</th>
          <th>age</th>
          <th>last error</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((j) => (
          <tr key={j.id} data-job={j.id}>
            {onSelect && (
              <td>
                <input
                  type="checkbox"
                  aria-label={`select job ${j.id}`}
                  checked={selected?.has(j.id)}
                  onChange={(e) => onSelect(j.id, (e.target as HTMLInputElement).checked)}
                />
              </td>
            )}
            <td>
              <a href={href.job(j.queue, j.id)}>{j.id}</a>
            </td>
            <td>{j.name}</td>
            <td>{j.state}</td>
            <td>{j.attemptsMade}</td>
            <td>{formatAge(Date.now() - j.createdAt)}</td>
            <td class="bad">{j.failedReason ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function JobsPanel({
  queue,
  state,
  offset,
  params,
}: {
  queue: string;
  state: JobState;
  offset: number;
  params: URLSearchParams;
}) {
  const { data, error } = useJobs(queue, state, offset, PAGE);
  const canAct = useCanAct();
  const [selected, setSelected] = useState(new Set<string>());
  const [progress, setProgress] = useState<Progress>();
  const ids = [...selected];
  const bulk = async (steps: Step[]) => {
    await runSteps(steps, setProgress);
    setSelected(new Set());
    invalidate(queueScope(queue));
  };
  const total = data?.total ?? 0;
  return (
    <section class="jobs-panel">
      <ErrorLine error={error} />
      {canAct && (
        <div class="actions">
          <span>{ids.length} selected</span>
          {state === 'failed' && (
            <ConfirmButton
              label="Retry selected"
              question={`Retry ${ids.length} job(s)?`}
              onConfirm={() => bulk(retrySelected(queue, ids))}
            />
          )}
          {state !== 'active' && (
            <ConfirmButton
              label="Remove selected"
              danger
              question={`Remove ${ids.length} job(s)?`}
              onConfirm={() => bulk(removeSelected(queue, ids))}
            />
          )}
          {state !== 'active' && (
            <ConfirmButton
              label={`Remove all ${state}`}
              danger
              question={`Remove all ${total} ${state} job(s) of ${queue}?`}
              onConfirm={async () => bulk(await removeState(queue, state))}
            />
          )}
          <ProgressBar p={progress} />
        </div>
      )}
      <JobRows
        jobs={data?.jobs ?? []}
        selected={selected}
        {...(canAct
          ? {
              onSelect: (id: string, on: boolean) => {
                const next = new Set(selected);
                if (on) next.add(id);
                else next.delete(id);
                setSelected(next);
              },
            }
          : {})}
      />
      <div class="pager">
        <button
          disabled={offset === 0}
          onClick={() => setParams(queue, params, { offset: Math.max(0, offset - PAGE) })}
        >
          ‹ newer
        </button>
        <span>
          {total === 0 ? 'none' : `${offset + 1}–${Math.min(total, offset + PAGE)} of ${total}`}
        </span>
        <button
          disabled={offset + PAGE >= total}
          onClick={() => setParams(queue, params, { offset: offset + PAGE })}
        >
          older ›
        </button>
      </div>
    </section>
  );
}
