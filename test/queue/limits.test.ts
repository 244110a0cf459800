/**
 * Limits shared by every worker, on a Redis server of this file's own (its command counters are
 * read): global concurrency, a per-queue rate limit, per-group rate limits, a handler's
 * RateLimitError; limited work is not fetched and put back, and workers wake when the budget
 * allows without polling (counted in script calls). A fetch costs the same number of Redis
 * commands with 10 groups as with 2,000.
 */
import { describe, expect, it } from 'vitest';
import { RateLimitError } from '../../src/index.js';
import { usePrivateRedis } from '../harness/private-redis.js';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

const priv = usePrivateRedis();
const h = useHarness(() => priv.server.url);

describe('queue limits', () => {
  it('global concurrency: at most N active across all workers', async () => {
    const q = h().queue('conc');
    await q.setLimits({ concurrency: 2 });
    expect(await q.getLimits()).toEqual({ concurrency: 2 });
    let running = 0;
    let most = 0;
    const handler = async () => {
      running++;
      most = Math.max(most, running);
      await sleep(10);
      running--;
    };
    for (let i = 0; i < 3; i++) h().worker('conc', handler, { concurrency: 5 });
    await q.addBulk(Array.from({ length: 30 }, (_, i) => ({ data: i })));
    await waitFor(async () => (await q.stats()).completed === 30, 'all done');
    expect(most).toBe(2);
  });

  it('per-queue rate limit: the budget holds work in Redis; workers wake when it allows, without polling', async () => {
    const q = h().queue('rate');
    await q.setLimits({ rateLimit: { max: 4, durationMs: 1500 } });
    const started: number[] = [];
    for (let i = 0; i < 2; i++)
      h().worker('rate', (job) => void started.push(Number(job.data)), { concurrency: 10 });
    await sleep(100);
    await priv.raw.config('RESETSTAT');
    await q.addBulk(Array.from({ length: 10 }, (_, i) => ({ data: i })));
    await waitFor(() => started.length === 4, 'first window');
    await sleep(300);
    expect(started).toHaveLength(4);
    expect((await q.stats()).waiting).toBe(6);
    // no job was taken and put back, and idle workers did not poll: a handful of script calls
    const calls = await priv.commandCalls();
    expect(calls.evalsha ?? 0).toBeLessThanOrEqual(8);
    expect(calls.lpush ?? 0).toBeLessThanOrEqual(2);
    await waitFor(() => started.length === 10, 'all started', 8000);
    expect(started.sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    await q.setLimits({});
    expect(await q.getLimits()).toEqual({});
  });

  it('a changed rate limit starts a fresh window: the old count does not hold it back', async () => {
    const q = h().queue('rechange');
    await q.setLimits({ rateLimit: { max: 2, durationMs: 60_000 } });
    const started: number[] = [];
    h().worker('rechange', (job) => void started.push(Number(job.data)), { concurrency: 10 });
    await q.addBulk(Array.from({ length: 6 }, (_, i) => ({ data: i })));
    await waitFor(() => started.length === 2, 'the first window spent');
    // Raised mid-window: with the old window kept, 2 of the new 4 would already be spent.
    await q.setLimits({ rateLimit: { max: 4, durationMs: 60_000 } });
    await waitFor(() => started.length === 6, 'a fresh window of 4');
    await sleep(100);
    expect(started).toHaveLength(6);
  });

  it('per-group rate limit: each group its own budget', async () => {
    const q = h().queue<string>('grate');
    await q.setLimits({ groupRateLimit: { max: 1, durationMs: 1500 }, groupConcurrency: 3 });
    for (const g of ['a', 'b'])
      for (let i = 0; i < 3; i++) await q.add('x', `${g}${i}`, { group: g });
    const started: string[] = [];
    h().worker<string>('grate', (job) => void started.push(job.data), { concurrency: 10 });
    await waitFor(() => started.length === 2, 'one per group');
    await sleep(300);
    expect(started.sort()).toEqual(['a0', 'b0']);
    await waitFor(() => started.length === 6, 'all', 8000);
    expect(started.filter((d) => d.startsWith('a'))).toEqual(['a0', 'a1', 'a2']);
  });

  it('a handler RateLimitError holds its group back while other groups go on; no attempt counted', async () => {
    const q = h().queue<string>('g429');
    for (const d of ['a0', 'a1']) await q.add('x', d, { group: 'a', id: d });
    for (const d of ['b0', 'b1', 'b2']) await q.add('x', d, { group: 'b', id: d });
    const order: string[] = [];
    let limited = 0;
    const w = h().worker<string>(
      'g429',
      (job) => {
        if (job.data === 'a0' && limited === 0) {
          limited++;
          throw new RateLimitError(700);
        }
        order.push(job.data);
      },
      { concurrency: 4 },
    );
    const seen: number[] = [];
    w.on('limited', (_job, ms) => seen.push(ms));
    await waitFor(() => order.length === 5, 'all', 8000);
    expect(seen).toEqual([700]);
    expect(order.slice(0, 3)).toEqual(['b0', 'b1', 'b2']);
    expect(order.slice(3)).toEqual(['a0', 'a1']);
    const a0 = (await q.getJob('a0'))!;
    expect(a0.attemptsMade).toBe(1); // only the attempt that completed
    expect(() => new RateLimitError(Number.NaN)).toThrow(
      expect.objectContaining({ code: 'SLC_ERR_INVALID_OPTIONS' }),
    );
  });

  it('are validated, every problem listed', async () => {
    const q = h().queue('bad');
    const err = await q
      .setLimits({ concurrency: 0, rateLimit: { max: 1.5, durationMs: -1 }, nope: 1 } as never)
      .then(
        () => undefined,
        (e: unknown) => e as Error & { code: string },
      );
    if (!err) throw new Error('expected a rejection');
    expect(err).toMatchObject({ code: 'SLC_ERR_INVALID_OPTIONS' });
    for (const p of ['concurrency', 'rateLimit.max', 'rateLimit.durationMs', 'nope'])
      expect(err.message).toContain(p);
  });

  it('refuse a rate limit given half (it stopped every fetch), and leave the old ones', async () => {
    const q = h().queue('half');
    await q.setLimits({ concurrency: 3 });
    for (const half of [{ rateLimit: { max: 5 } }, { groupRateLimit: { durationMs: 1000 } }])
      await expect(q.setLimits(half as never)).rejects.toMatchObject({
        code: 'SLC_ERR_INVALID_OPTIONS',
        message: expect.stringContaining('needs both max and durationMs'),
      });
    // nothing was stored: jobs still run, under the limit set before
    const seen: number[] = [];
    h().worker<number>('half', (job) => void seen.push(job.data), { concurrency: 5 });
    await q.add('x', 1);
    await waitFor(async () => seen.length === 1, 'the job ran');
    expect((await q.getLimits()).concurrency).toBe(3);
  });
});

describe('cost of a fetch in the number of groups', () => {
  async function commandsPerFetch(name: string, groups: number): Promise<number> {
    const q = h().queue(name);
    for (let i = 0; i < groups; i += 1000)
      await q.addBulk(
        Array.from({ length: Math.min(1000, groups - i) }, (_, j) => ({
          data: 0,
          opts: { group: `g${i + j}` },
        })),
      );
    const c = h().commands(name);
    await c.fetch(1, 30_000, 'warm:1'); // loads the script
    await priv.raw.config('RESETSTAT');
    await c.fetch(1, 30_000, 'w:1');
    const calls = await priv.commandCalls();
    return Object.entries(calls)
      .filter(([cmd]) => !['evalsha', 'config', 'info'].includes(cmd))
      .reduce((n, [, v]) => n + v, 0);
  }

  it('is the same with 10 groups as with 2,000 (no scan)', async () => {
    const small = await commandsPerFetch('ten', 10);
    const large = await commandsPerFetch('many', 2000);
    expect(small).toBeGreaterThan(0);
    expect(large).toBe(small);
  });
});
