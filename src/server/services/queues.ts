/**
 * The queue operations of the admin API as plain functions (typed input → typed output, no HTTP
 * types), so the routes stay thin and another transport could call the same ones. Each is about
 * one library call; names not in the registry are "not found" (no handle is made for them).
 */
import { JobError, RequestError, type AddOptions, type Job, type JobState } from '../../index.js';
import type { QueueDirectory } from '../types.js';
import type { Static } from '@sinclair/typebox';
import type { JobBody, NewJob } from '../schemas/queues.js';

type JobWire = Static<typeof JobBody>;

/** The wire form of one job (payload, meta, attempts with errors and stacks, result). */
export function jobView(job: Job): JobWire {
  return {
    id: job.id,
    queue: job.queueName,
    name: job.name,
    data: job.data,
    priority: job.priority,
    ...(job.state === undefined ? {} : { state: job.state }),
    meta: job.meta,
    options: { ...job.options },
    createdAt: job.createdAt,
    attemptsMade: job.attemptsMade,
    attemptsStarted: job.attemptsStarted,
    ...(job.processedOn === undefined ? {} : { processedOn: job.processedOn }),
    ...(job.finishedOn === undefined ? {} : { finishedOn: job.finishedOn }),
    stalls: job.stalls,
    totalStalls: job.totalStalls,
    history: job.history,
    ...(job.failedReason === undefined ? {} : { failedReason: job.failedReason }),
    ...(job.returnValue === undefined ? {} : { returnValue: job.returnValue }),
    ...(job.timestamp === undefined ? {} : { timestamp: job.timestamp }),
    ...(job.progressValue === undefined ? {} : { progress: job.progressValue }),
    logs: [...job.logs],
  };
}

async function known(dir: QueueDirectory, name: string) {
  if (!(await dir.known(name)))
    throw new RequestError('SLC_ERR_NOT_FOUND', `queue ${name} is not known`);
  return dir.get(name);
}

/** Every known queue with its counts. */
export async function listQueues(dir: QueueDirectory) {
  const names = await dir.names();
  return { queues: await Promise.all(names.map((n) => dir.get(n).stats())) };
}

/** Stats of one queue. */
export async function queueStats(dir: QueueDirectory, name: string) {
  return (await known(dir, name)).stats();
}

/**
 * A page of jobs in `state` (default waiting), or with `entity` a page of that entity's jobs in
 * every state, newest first (`getEntityJobs`); the two do not combine.
 */
export async function listJobs(
  dir: QueueDirectory,
  name: string,
  q: { state?: JobState; entity?: string; offset?: number; limit?: number },
) {
  const { state, entity, offset, limit } = q;
  if (entity !== undefined && state !== undefined)
    throw new RequestError('SLC_ERR_BAD_REQUEST', 'entity lists every state: leave state out');
  const queue = await known(dir, name);
  const page =
    entity === undefined
      ? await queue.getJobs(state ?? 'waiting', { offset, limit })
      : await queue.getEntityJobs(entity, { offset, limit });
  return { total: page.total, jobs: page.jobs.map(jobView) };
}

/** One job; `SLC_ERR_JOB_NOT_FOUND` when there is none. */
export async function getJob(dir: QueueDirectory, name: string, id: string) {
  const job = await (await known(dir, name)).getJob(id);
  if (!job) throw new JobError('SLC_ERR_JOB_NOT_FOUND', id, `job ${id} not found in queue ${name}`);
  return jobView(job);
}

function addOptions(j: NewJob): AddOptions {
  const { name: _name, data: _data, ...opts } = j;
  return opts as AddOptions;
}

/** Adds one job, or many (`{jobs}`); `created` says whether anything new was stored. */
export async function addJobs(
  dir: QueueDirectory,
  name: string,
  body: NewJob | { jobs: NewJob[] },
): Promise<{ created: boolean; body: unknown }> {
  const queue = dir.get(name);
  if ('jobs' in body) {
    const added = await queue.addBulk(
      body.jobs.map((j) => ({ name: j.name ?? '', data: j.data, opts: addOptions(j) })),
    );
    return { created: added.some((a) => a.created), body: { jobs: added } };
  }
  const added = await queue.add(body.name ?? '', body.data, addOptions(body));
  return { created: added.created, body: added };
}

/** Pauses (`true`) or resumes the queue for every worker. */
export async function setPaused(dir: QueueDirectory, name: string, paused: boolean) {
  const queue = await known(dir, name);
  await (paused ? queue.pause() : queue.resume());
  return { paused };
}

/** Moves failed jobs (the given ids, or all) back to waiting. */
export async function retryFailed(dir: QueueDirectory, name: string, ids?: string[]) {
  return { retried: await (await known(dir, name)).retryFailed(ids) };
}

/** Removes waiting jobs (delayed ones unless kept, failed ones with `includeFailed`). */
export async function clearQueue(
  dir: QueueDirectory,
  name: string,
  opts: { includeFailed?: boolean; keepDelayed?: boolean },
) {
  return { removed: await (await known(dir, name)).clear(opts) };
}

/** Moves delayed jobs (all, or the first `limit`) to waiting now. */
export async function promoteAll(dir: QueueDirectory, name: string, limit?: number) {
  const queue = await known(dir, name);
  return { promoted: await queue.promoteAll(limit === undefined ? {} : { limit }) };
}

/** Waiting jobs per priority. */
export async function priorityCounts(dir: QueueDirectory, name: string) {
  return (await known(dir, name)).priorityCounts();
}

/** Releases a de-dup key. */
export async function removeDedupKey(dir: QueueDirectory, name: string, key: string) {
  return { key, removed: await (await known(dir, name)).removeDedupKey(key) };
}

/** Changes a job that is not running: its data, its delay or its priority (one call each). */
export async function changeJob(
  dir: QueueDirectory,
  name: string,
  id: string,
  change:
    { data: unknown } | { delayMs: number } | { priority: 'high' | 'normal' | 'low' | number },
) {
  const queue = await known(dir, name);
  if ('data' in change) await queue.updateData(id, change.data);
  else if ('delayMs' in change) await queue.changeDelay(id, change.delayMs);
  else await queue.changePriority(id, change.priority);
  return { id, changed: true };
}

/** Runs a completed job again. */
export async function rerunJob(dir: QueueDirectory, name: string, id: string) {
  await (await known(dir, name)).rerun(id);
  return { id, rerun: true };
}

/** Runs a delayed job now. */
export async function promoteJob(dir: QueueDirectory, name: string, id: string) {
  await (await known(dir, name)).promote(id);
  return { id, promoted: true };
}

/** Cancels a job: removed if waiting or delayed; an active one is aborted by its worker. */
export async function cancelJob(dir: QueueDirectory, name: string, id: string) {
  return { id, outcome: await (await known(dir, name)).cancel(id) };
}

/** Removes a job that is not active; `SLC_ERR_JOB_NOT_FOUND` when there is none. */
export async function removeJob(dir: QueueDirectory, name: string, id: string) {
  if (!(await (await known(dir, name)).remove(id)))
    throw new JobError('SLC_ERR_JOB_NOT_FOUND', id, `job ${id} not found in queue ${name}`);
  return { id, removed: true };
}
