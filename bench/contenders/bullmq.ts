/**
 * BullMQ 6, used as its docs recommend: `Queue.addBulk` for bulk, a `Worker` with `concurrency`,
 * `removeOnComplete: { count: 0 }` where completed jobs are removed (its default keeps them all).
 * Everything else is at its defaults (stalled-job checks, lock renewal, events stream).
 */
import { Queue, Worker } from 'bullmq';
import type { Contender, JobData } from './types.js';

function connection(url: string): { host: string; port: number; maxRetriesPerRequest: null } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null };
}

export const bullmq: Contender = {
  name: 'bullmq',
  label: 'BullMQ',
  can: { keepCompleted: true, delayed: true },

  async createProducer({ url, queue }) {
    const q = new Queue<JobData>(queue, { connection: connection(url) });
    await q.waitUntilReady();
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
    const worker = new Worker<JobData>(
      o.queue,
      async (job) => {
        o.onStart(job.data);
      },
      {
        connection: connection(o.url),
        concurrency: o.concurrency,
        autorun: false,
        ...(o.keep ? {} : { removeOnComplete: { count: 0 } }),
      },
    );
    worker.on('completed', () => o.onCompleted());
    worker.on('error', (err) => console.error(`bullmq worker: ${err.message}`));
    await worker.waitUntilReady();
    return {
      start: () =>
        void worker.run().catch((err: Error) => console.error(`bullmq run: ${err.message}`)),
      close: () => worker.close(),
    };
  },
};
