/**
 * The reads of a Queue that decode a script's reply into jobs or stats: one job, one page of a
 * state, the counts and rates.
 */
import type { ListOrder, QueueCommands } from '../commands/commands.js';
import { Job, type JobState } from '../job.js';
import { checkJobId } from './call-options.js';

/** Counts and rates of a queue, read in one consistent step. */
export interface QueueStats {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  paused: boolean;
  /** Age of the oldest waiting job in ms, or null when none waits. */
  oldestWaitingAgeMs: number | null;
  /** Completions and failures since the queue was created (not reduced by retention). */
  totals: { completed: number; failed: number };
  /** Completions and failures in the last full minute. */
  perMinute: { completed: number; failed: number };
  /** Per-minute counts for the last 60 full minutes, oldest first. */
  history: { completed: number[]; failed: number[] };
}

/** A page of jobs. */
export interface JobPage<Data = unknown> {
  total: number;
  jobs: Job<Data>[];
}

/** The order `getJobs` lists each state in (see its TSDoc). */
const LIST_ORDER: Record<JobState, ListOrder> = {
  waiting: 'run',
  delayed: 'asc',
  active: 'asc',
  completed: 'desc',
  failed: 'desc',
};

/** Reads job `id`, or undefined if there is none. */
export async function readJob<Data, Result>(
  commands: QueueCommands,
  name: string,
  id: string,
): Promise<Job<Data, Result> | undefined> {
  const raw = await commands.getJob(checkJobId(id));
  if (!raw) return undefined;
  return new Job<Data, Result>({
    id,
    queueName: name,
    record: raw.record,
    info: raw.info,
    result: raw.result,
    state: raw.state as JobState,
    score: raw.score,
    progress: raw.progress,
    logs: raw.logs,
    started: raw.started,
  });
}

/** One page of jobs in `state` (see `Queue.getJobs` for the order). */
export async function readJobPage<Data>(
  commands: QueueCommands,
  name: string,
  state: JobState,
  offset: number,
  limit: number,
): Promise<JobPage<Data>> {
  const setKey = state === 'waiting' ? commands.keys.wait : commands.keys[state];
  const { total, rows } = await commands.list(LIST_ORDER[state], setKey, offset, limit);
  // A removed id that was added again is in `wait` twice (the older entry is a tombstone,
  // skipped by fetch): list it once.
  const seen = new Set<string>();
  const jobs = rows
    .filter((r) => r.record !== '' && !seen.has(r.id) && seen.add(r.id))
    .map(
      (r) =>
        new Job<Data>({
          id: r.id,
          queueName: name,
          record: r.record,
          info: r.info,
          result: r.result,
          state,
          score: r.score,
        }),
    );
  return { total, jobs };
}

/** The `stats` script's reply as {@link QueueStats}. */
export function decodeStats(name: string, r: number[]): QueueStats {
  const [now, waiting, active, delayed, completed, failed, paused, totalC, totalF, oldest] =
    r as number[] as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
  const historyC = r.slice(10, 70);
  const historyF = r.slice(70, 130);
  return {
    name,
    waiting,
    active,
    delayed,
    completed,
    failed,
    paused: paused === 1,
    oldestWaitingAgeMs: oldest < 0 ? null : Math.max(0, now - oldest),
    totals: { completed: totalC, failed: totalF },
    perMinute: { completed: historyC[59] ?? 0, failed: historyF[59] ?? 0 },
    history: { completed: historyC, failed: historyF },
  };
}
