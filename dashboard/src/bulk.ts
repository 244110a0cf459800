/**
 * Bulk actions as plain steps: a selection, a whole state or several queues is cut into steps
 * (one API call each, at most 100 ids), run one after another with progress reported after each.
 */
import { api } from './api/client.js';
import type { JobState } from './api/types.js';

/** One step: does its call and says how many items it covered. */
export type Step = () => Promise<number>;

export interface Progress {
  done: number;
  total: number;
  /** Items the calls reported (retried, removed…). */
  affected: number;
  error?: string;
}

/** Cuts `items` into chunks of `size`. */
export function chunks<T>(items: readonly T[], size = 100): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs the steps in order; stops at the first error (reported in the progress). */
export async function runSteps(
  steps: Step[],
  onProgress: (p: Progress) => void,
): Promise<Progress> {
  const p: Progress = { done: 0, total: steps.length, affected: 0 };
  onProgress({ ...p });
  for (const step of steps) {
    try {
      p.affected += await step();
    } catch (err) {
      p.error = err instanceof Error ? err.message : String(err);
      onProgress({ ...p });
      return p;
    }
    p.done++;
    onProgress({ ...p });
  }
  return p;
}

/** Retry the given failed jobs of one queue. */
export const retrySelected = (queue: string, ids: string[]): Step[] =>
  chunks(ids).map((c) => async () => (await api.retryFailed(queue, c)).retried);

/** Remove the given jobs of one queue (one DELETE each, 100 at a time in parallel). */
export const removeSelected = (queue: string, ids: string[]): Step[] =>
  chunks(ids).map((c) => async () => {
    const r = await Promise.all(c.map((id) => api.remove(queue, id)));
    return r.filter((x) => x.removed).length;
  });

/** Retry every failed job of each queue (one call per queue; the server works in chunks). */
export const retryAllFailed = (queues: string[]): Step[] =>
  queues.map((q) => async () => (await api.retryFailed(q)).retried);

/** Remove every job in `state` of one queue: page through the first 100 until none is left. */
export async function removeState(queue: string, state: JobState): Promise<Step[]> {
  const { total } = await api.jobs(queue, state, 0, 1);
  return Array.from({ length: Math.ceil(total / 100) }, () => async () => {
    const page = await api.jobs(queue, state, 0, 100);
    const r = await Promise.all(page.jobs.map((j) => api.remove(queue, j.id)));
    return r.filter((x) => x.removed).length;
  });
}
