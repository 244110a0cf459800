/**
 * Bee-Queue 2, with the settings its README recommends for speed: producers with
 * `isWorker: false, getEvents: false`; everywhere `sendEvents: false` and `storeJobs: false` (no
 * one listens to job events here); `saveAll` (one pipelined batch) for bulk; `removeOnSuccess`
 * where completed jobs are removed. Delayed runs turn on `activateDelayedJobs` with
 * `delayedDebounce: 0` (its default of 1 s would batch activations up to a second late).
 */
import BeeQueue from 'bee-queue';
import type { Contender, JobData } from './types.js';

function redisOptions(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

export const beeQueue: Contender = {
  name: 'bee-queue',
  label: 'Bee-Queue',
  can: { keepCompleted: true, delayed: true },

  async createProducer({ url, queue }) {
    const q = new BeeQueue<JobData>(queue, {
      redis: redisOptions(url),
      isWorker: false,
      getEvents: false,
      sendEvents: false,
      storeJobs: false,
    });
    await q.ready();
    return {
      async addBulk(jobs) {
        const errors = await q.saveAll(jobs.map((data) => q.createJob(data)));
        if (errors.size > 0) throw [...errors.values()][0];
      },
      async add(job, delayMs = 0) {
        const j = q.createJob(job);
        if (delayMs > 0) j.delayUntil(Date.now() + delayMs);
        await j.save();
      },
      close: () => q.close(),
    };
  },

  async createConsumer(o) {
    const q = new BeeQueue<JobData>(o.queue, {
      redis: redisOptions(o.url),
      isWorker: true,
      getEvents: false,
      sendEvents: false,
      storeJobs: false,
      removeOnSuccess: !o.keep,
      activateDelayedJobs: o.delayed,
      ...(o.delayed ? { delayedDebounce: 0 } : {}),
    });
    q.on('succeeded', () => o.onCompleted());
    q.on('error', (err) => console.error(`bee-queue: ${err.message}`));
    await q.ready();
    return {
      start: () =>
        q.process(o.concurrency, async (job) => {
          o.onStart(job.data);
        }),
      close: () => q.close(5000),
    };
  },
};
