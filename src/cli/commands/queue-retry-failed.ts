/**
 * `sluice queue retry-failed <queue> [id...]`: move failed jobs back to waiting. With ids, those;
 * without, every failed job, in chunks (list a page of failed ids, retry them, repeat) so a
 * progress bar can follow 100,000 jobs and no request grows without bound.
 */
import { intFlag, parseCommand } from '../args.js';
import { seg, type Api } from '../client.js';
import { command } from '../command.js';
import type { Io } from '../io.js';
import { printJson } from '../output.js';
import { startProgress } from '../progress.js';
import type { JobPage } from '../wire.js';

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

export default command({
  name: 'queue retry-failed',
  summary: 'move failed jobs back to waiting (all, in chunks, or the ids given)',
  usage: 'sluice queue retry-failed <queue> [id...] [--chunk n] [--json]',
  parse(argv) {
    const p = parseCommand(argv, { chunk: { type: 'string' } }, ['queue'], true);
    return {
      common: p.common,
      queue: p.positionals[0]!,
      ids: p.positionals.slice(1),
      chunk: intFlag(p.values.chunk, 'chunk', 1000, 1, 1000),
    };
  },
  async run(opts, io, { api }) {
    const retried =
      opts.ids.length > 0
        ? (
            await api().post<{ retried: number }>(`/v1/queues/${seg(opts.queue)}/retry-failed`, {
              ids: opts.ids,
            })
          ).retried
        : await retryAllFailed(api(), io, opts.queue, opts.chunk);
    if (opts.common.json) printJson(io, { queue: opts.queue, retried });
    else io.stdout.write(`${retried}\n`);
    return io.signal.aborted ? 130 : 0;
  },
});
