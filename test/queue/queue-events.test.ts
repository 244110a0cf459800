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
    queue.on(e, (...args: unknown[]) =>
      seen.push([e, ...args.filter((x) => x !== undefined && typeof x !== 'object')].join(' ')),
    );
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

it('emits active, waiting when a delayed job is due, completed with its value, per-attempt failures and removed', async () => {
  const prefix = uniquePrefix();
  // the listener is another handle than the producer's: events come from the scripts
  const producer = new Queue<{ fail?: boolean; big?: boolean }>('dash', {
    connection: redisUrl(),
    prefix,
  });
  const listener = new Queue('dash', { connection: redisUrl(), prefix });
  closers.push(
    () => producer.close(),
    () => listener.close(),
  );
  const seen: unknown[][] = [];
  for (const e of ['waiting', 'active', 'completed', 'retrying', 'failed', 'removed'] as const)
    listener.on(e, (...args: unknown[]) => seen.push([e, ...args]));
  await new Promise<void>((r) => listener.once('ready', r));

  await producer.add('x', {}, { id: 'gone' });
  await producer.remove('gone');
  await producer.add('x', {}, { id: 'cancelled', delay: 60_000 });
  await producer.cancel('cancelled');
  await producer.add('x', {}, { id: 'due', delay: 100 });
  await producer.add('x', { big: true }, { id: 'big' });
  await producer.add('x', { fail: true }, { id: 'bad' });
  const worker = new Worker<{ fail?: boolean; big?: boolean }>(
    'dash',
    async (job) => {
      if (job.data.fail) throw new Error('flake');
      return job.data.big ? 'x'.repeat(5000) : { id: job.id };
    },
    {
      connection: redisUrl(),
      prefix,
      retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 10 } },
    },
  );
  closers.push(() => worker.close());
  await waitFor(
    () =>
      seen.some((s) => s[0] === 'completed' && s[1] === 'due') &&
      seen.some((s) => s[0] === 'failed'),
    'events',
  );
  const of = (e: string, id: string) => seen.filter((s) => s[0] === e && s[1] === id);
  expect(of('removed', 'gone')).toEqual([['removed', 'gone']]);
  expect(of('removed', 'cancelled')).toEqual([['removed', 'cancelled']]);
  // added delayed ('delayed'), then due: one waiting event
  expect(of('waiting', 'due')).toHaveLength(1);
  expect(of('active', 'due')).toEqual([['active', 'due']]);
  expect(of('completed', 'due')).toEqual([['completed', 'due', { id: 'due' }]]);
  expect(of('completed', 'big')).toEqual([['completed', 'big', undefined]]);
  expect((await producer.getJob('big'))!.returnValue).toHaveLength(5000);
  expect(of('active', 'bad')).toHaveLength(2);
  const [retry] = of('retrying', 'bad');
  expect(retry).toEqual([
    'retrying',
    'bad',
    'flake',
    { attemptsMade: 1, willRetry: true, retryAt: expect.any(Number) },
  ]);
  expect(of('failed', 'bad')).toEqual([
    ['failed', 'bad', 'flake', { attemptsMade: 2, willRetry: false }],
  ]);
  // order per job: active before its outcome
  const idx = (e: string, id: string) => seen.findIndex((s) => s[0] === e && s[1] === id);
  expect(idx('active', 'due')).toBeLessThan(idx('completed', 'due'));
  expect(idx('waiting', 'due')).toBeLessThan(idx('active', 'due'));
});
