/** Queue events: seen across processes' scripts, written only while someone listens. */
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { Queue, UnrecoverableError, Worker } from '../../src/index.js';
import { queueKeys } from '../../src/redis/keys.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

it('writes no events while nobody listens', async () => {
  const prefix = uniquePrefix();
  const queue = new Queue('quiet', { connection: redisUrl(), prefix });
  closers.push(() => queue.close());
  const worker = new Worker('quiet', async () => 1, { connection: redisUrl(), prefix });
  closers.push(() => worker.close());
  await queue.add('a', {});
  await waitFor(async () => (await queue.stats()).completed === 1, 'completion');
  const redis = new Redis(redisUrl());
  closers.push(async () => redis.disconnect());
  expect(await redis.exists(queueKeys(prefix, 'quiet').events)).toBe(0);
});

it('emits waiting, delayed, completed, retrying, failed, paused, resumed and drained', async () => {
  const prefix = uniquePrefix();
  const queue = new Queue<{ fail?: 'once' | 'always' }>('loud', { connection: redisUrl(), prefix });
  closers.push(() => queue.close());
  const seen: string[] = [];
  for (const e of [
    'waiting',
    'delayed',
    'completed',
    'retrying',
    'failed',
    'paused',
    'resumed',
    'drained',
  ] as const) {
    queue.on(e, (...args: unknown[]) => seen.push([e, ...args.map(String)].join(' ')));
  }
  await new Promise<void>((r) => queue.once('ready', r));
  await queue.pause();
  await queue.resume();
  await queue.add('ok', {}, { id: 'ok' });
  await queue.add('later', {}, { id: 'later', delay: 50 });
  await queue.add('flaky', { fail: 'once' }, { id: 'flaky' });
  await queue.add('bad', { fail: 'always' }, { id: 'bad' });
  const attempts = new Map<string, number>();
  const worker = new Worker<{ fail?: 'once' | 'always' }>(
    'loud',
    async (job) => {
      const n = (attempts.get(job.id) ?? 0) + 1;
      attempts.set(job.id, n);
      if (job.data.fail === 'always') throw new UnrecoverableError('nope');
      if (job.data.fail === 'once' && n === 1) throw new Error('flake');
    },
    {
      connection: redisUrl(),
      prefix,
      retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 10 } },
    },
  );
  closers.push(() => worker.close());
  await waitFor(
    () => seen.includes('drained') && seen.filter((s) => s.startsWith('completed')).length === 3,
    'events',
  );
  expect(seen).toContain('paused');
  expect(seen).toContain('resumed');
  expect(seen).toContain('waiting ok');
  expect(seen.some((s) => s.startsWith('delayed later '))).toBe(true);
  expect(seen).toContain('retrying flaky flake');
  expect(seen).toContain('failed bad nope');
  expect(seen).toEqual(
    expect.arrayContaining(['completed ok', 'completed later', 'completed flaky']),
  );
});
