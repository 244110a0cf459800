import { afterEach, describe, expect, it } from 'vitest';
import { Queue, Worker } from '../../src/index.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe('smoke', () => {
  it('adds and completes jobs', async () => {
    const prefix = uniquePrefix();
    const queue = new Queue<{ n: number }>('smoke', { connection: redisUrl(), prefix });
    closers.push(() => queue.close());
    const seen: number[] = [];
    const worker = new Worker<{ n: number }>(
      'smoke',
      async (job) => {
        seen.push(job.data.n);
        return job.data.n * 2;
      },
      { connection: redisUrl(), prefix, concurrency: 5 },
    );
    closers.push(() => worker.close());
    for (let i = 0; i < 20; i++) await queue.add('x', { n: i });
    await waitFor(async () => (await queue.stats()).completed === 20, '20 completions');
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });
});
