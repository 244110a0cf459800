/**
 * Sluice, through its public API only. A Worker with `autorun: false` connects first and starts
 * taking jobs on `start()`. "Kept" keeps every completed job (as BullMQ and Bee-Queue do by
 * default); "removed" is `keepCompleted: false`.
 */
import { Queue, Worker } from '../../src/index.js';
import type { Contender, JobData } from './types.js';

const KEEP_ALL = { count: 1_000_000_000, ageMs: 0 };

export const sluice: Contender = {
  name: 'sluice',
  label: 'Sluice',
  can: { keepCompleted: true, delayed: true },

  async createProducer({ url, queue }) {
    const q = new Queue<JobData>(queue, { connection: url });
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
    const worker = new Worker<JobData>(
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
    worker.on('error', (err) => console.error(`sluice worker: ${err.message}`));
    return {
      start: () => worker.run(),
      close: () => worker.close(5000),
    };
  },
};
