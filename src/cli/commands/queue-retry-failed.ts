/**
 * `sluice queue retry-failed <queue> [id...]`: move failed jobs back to waiting. With ids, those,
 * one request each so an id that is not failed (or not there) is named, as `promote` names one
 * that is not delayed; without, every failed job, in chunks (list a page of failed ids, retry them, repeat) so a
 * progress bar can follow 100,000 jobs and no request grows without bound. `--all-queues`: the
 * same for every known queue with failed jobs, one after the other, one bar each.
 */
import { intFlag, parseCommand } from '../args.js';
import { seg, type Api } from '../client.js';
import { command } from '../command.js';
import type { Io } from '../io.js';
import { ApiError, usage } from '../errors.js';
import { forEachId, reportFailures } from '../per-id.js';
import { printJson, printTable } from '../output.js';
import { startProgress } from '../progress.js';
import type { JobPage, JobView, QueueStats } from '../wire.js';

/** Retries the given ids one by one; an id not retried is reported with its state. */
async function retryIds(api: Api, queue: string, ids: readonly string[]) {
  const base = `/v1/queues/${seg(queue)}`;
  return forEachId(ids, async (id) => {
    const out = await api.post<{ retried: number }>(`${base}/retry-failed`, { ids: [id] });
    if (out.retried === 1) return id;
    // not failed: say what it is (a job that is not there answers SLC_ERR_JOB_NOT_FOUND here)
    const job = await api.get<JobView>(`${base}/jobs/${seg(id)}`);
    throw new ApiError('SLC_ERR_JOB_STATE', `job ${id} is ${job.state}, not failed`, 409);
  });
}

/** Retries every failed job of `queue`, `chunk` at a time; resolves with the number retried. */
export async function retryAllFailed(
  api: Api,
  io: Io,
  queue: string,
  chunk: number,
): Promise<number> {
  const base = `/v1/queues/${seg(queue)}`;
  let page = await api.get<JobPage>(`${base}/jobs`, { state: 'failed', offset: 0, limit: chunk });
  const bar = startProgress(io, `retrying ${queue}`, page.total);
  let retried = 0;
  // Jobs that could not be retried stay failed: skip past them instead of asking again.
  let skip = 0;
  try {
    while (page.jobs.length > 0 && !io.signal.aborted) {
      const ids = page.jobs.map((j) => j.id);
      const out = await api.post<{ retried: number }>(`${base}/retry-failed`, { ids });
      retried += out.retried;
      skip += ids.length - out.retried;
      bar.update(retried, retried + page.total - ids.length);
      page = await api.get<JobPage>(`${base}/jobs`, {
        state: 'failed',
        offset: skip,
        limit: chunk,
      });
    }
  } finally {
    bar.finish();
  }
  return retried;
}

/** Retries every failed job of every known queue that has some; per queue, how many. */
async function retryAllQueues(api: Api, io: Io, chunk: number) {
  const { queues } = await api.get<{ queues: QueueStats[] }>('/v1/queues');
  const out: { queue: string; retried: number }[] = [];
  for (const q of queues) {
    if (q.failed === 0 || io.signal.aborted) continue;
    out.push({ queue: q.name, retried: await retryAllFailed(api, io, q.name, chunk) });
  }
  return out;
}

export default command({
  name: 'queue retry-failed',
  summary: 'move failed jobs back to waiting (all, in chunks, or the ids given; or every queue)',
  usage:
    'sluice queue retry-failed <queue> [id...] [--chunk n] [--json]\n' +
    '  sluice queue retry-failed --all-queues [--chunk n] [--json]',
  parse(argv) {
    const flags = { chunk: { type: 'string' }, 'all-queues': { type: 'boolean' } } as const;
    const all = argv.includes('--all-queues');
    const p = parseCommand(argv, flags, all ? [] : ['queue'], !all);
    if (all && p.positionals.length > 0)
      throw usage('--all-queues retries every failed job of every queue: give no queue or ids');
    return {
      common: p.common,
      allQueues: all,
      queue: p.positionals[0] ?? '',
      ids: p.positionals.slice(1),
      chunk: intFlag(p.values.chunk, 'chunk', 1000, 1, 1000),
    };
  },
  async run(opts, io, { api }) {
    if (opts.allQueues) {
      const per = await retryAllQueues(api(), io, opts.chunk);
      const retried = per.reduce((n, q) => n + q.retried, 0);
      if (opts.common.json) printJson(io, { queues: per, retried });
      else
        printTable(
          io,
          ['QUEUE', 'RETRIED'],
          per.map((q) => [q.queue, q.retried]),
        );
      return io.signal.aborted ? 130 : 0;
    }
    if (opts.ids.length > 0) {
      const { done, failed } = await retryIds(api(), opts.queue, opts.ids);
      if (opts.common.json) printJson(io, { queue: opts.queue, retried: done.length });
      else io.stdout.write(`${done.length}\n`);
      return reportFailures(io, failed);
    }
    const retried = await retryAllFailed(api(), io, opts.queue, opts.chunk);
    if (opts.common.json) printJson(io, { queue: opts.queue, retried });
    else io.stdout.write(`${retried}\n`);
    return io.signal.aborted ? 130 : 0;
  },
});
