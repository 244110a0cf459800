/**
 * The Sluice adapter, through the public API only, over any build of the library: this tree's
 * (`sluice.ts`) or another ref's (`--compare`, `sluice-ref.ts`). A Worker with `autorun: false`
 * connects first and starts taking jobs on `start()`. "Kept" keeps every completed job (as
 * BullMQ and Bee-Queue do by default); "removed" is `keepCompleted: false`.
 *
 * It imports no build itself (types only): an agent loads exactly the build it runs. When the
 * ref's agent also loaded this tree's build (an import here), the ref read 8–11 % faster than
 * identical code in the tree (`bench/README.md`, _Comparing two builds_).
 */
import type * as lib from '../../src/index.js';
import type { Contender, ContenderName, JobData } from './types.js';

const KEEP_ALL = { count: 1_000_000_000, ageMs: 0 };

/** The two classes the adapter uses, as any build of Sluice exports them. */
export type SluiceLibrary = Pick<typeof lib, 'Queue' | 'Worker'>;

export function sluiceContender(name: ContenderName, label: string, l: SluiceLibrary): Contender {
  return {
    name,
    label,
    can: { keepCompleted: true, delayed: true },

    async createProducer({ url, queue }) {
      const q = new l.Queue<JobData>(queue, { connection: url });
      await q.isPaused(); // connected before the clock starts
      return {
        async addBulk(jobs) {
          await q.addBulk(jobs.map((data) => ({ name: 'j', data })));
        },
        async add(job, delayMs = 0) {
          await q.add('j', job, delayMs > 0 ? { delay: delayMs } : undefined);
        },
        close: () => q.close(),
      };
    },

    async createConsumer(o) {
      const worker = new l.Worker<JobData>(
        o.queue,
        async (job) => {
          o.onStart(job.data);
        },
        {
          connection: o.url,
          concurrency: o.concurrency,
          autorun: false,
          keepCompleted: o.keep ? KEEP_ALL : false,
        },
      );
      worker.on('completed', () => o.onCompleted());
      worker.on('error', (err) => console.error(`${name} worker: ${err.message}`));
      return {
        start: () => worker.run(),
        close: () => worker.close(5000),
      };
    },
  };
}
