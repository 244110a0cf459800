/** Dead letters: the `failed` set, attempt history, `retryFailed` (all or by ids) and `remove`. */
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { useHarness } from './helpers.js';

const h = useHarness();

/** A queue whose worker fails every job while `failing` is true. */
function failingQueue(opts: { maxAttempts?: number; historyLimit?: number } = {}) {
  const q = h().queue<string>('dlq');
  const ctl = { failing: true, runs: [] as Job<string>[] };
  const w = h().worker<string>(
    'dlq',
    async (job) => {
      ctl.runs.push(job);
      if (ctl.failing) throw new Error(`${job.data} failed on attempt ${job.attemptsMade + 1}`);
      return `${job.data} done`;
    },
    {
      concurrency: 5,
      retry: { maxAttempts: opts.maxAttempts ?? 3 },
      historyLimit: opts.historyLimit ?? 10,
    },
  );
  const failed: string[] = [];
  w.on('failed', (job) => failed.push(job.id));
  return { q, ctl, failed };
}

describe('dead letters', () => {
  it('an exhausted job keeps every attempt: time, error and stack', async () => {
    const { q, failed } = failingQueue({ maxAttempts: 3 });
    const before = await h().now();
    await q.add('x', 'mail', { id: 'm1' });
    await waitFor(() => failed.length === 1, 'dead letter');

    const s = await h().state('dlq');
    expect(Object.keys(s.failed)).toEqual(['m1']);
    const info = s.info.m1!;
    expect(info.attempts).toBe(3);
    expect(info.failedReason).toBe('mail failed on attempt 3');
    expect(info.history!.map((e) => e.error)).toEqual([
      'mail failed on attempt 1',
      'mail failed on attempt 2',
      'mail failed on attempt 3',
    ]);
    const times = info.history!.map((e) => e.at);
    expect(times[0]).toBeGreaterThanOrEqual(before);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(times[2]).toBe(s.failed.m1);
    for (const e of info.history!) {
      expect(e.stack).toContain(e.error);
      expect(e.stack).toContain('dead-letters.test.ts');
    }
    // One dead letter counted, not one per attempt.
    expect(s.meta.failed).toBe('1');
    const job = (await q.getJob('m1'))!;
    expect(job).toMatchObject({ state: 'failed', attemptsMade: 3, timestamp: s.failed.m1 });
    expect(job.history).toEqual(info.history);
  });

  it('history is bounded by historyLimit, keeping the most recent attempts', async () => {
    const { q, failed } = failingQueue({ maxAttempts: 5, historyLimit: 2 });
    await q.add('x', 'j', { id: 'h1' });
    await waitFor(() => failed.length === 1, 'dead letter');
    const job = (await q.getJob('h1'))!;
    expect(job.attemptsMade).toBe(5);
    expect(job.history.map((e) => e.error)).toEqual([
      'j failed on attempt 4',
      'j failed on attempt 5',
    ]);
  });

  it('retryFailed() moves every dead letter back with a fresh count, keeping history', async () => {
    const { q, ctl, failed } = failingQueue({ maxAttempts: 2 });
    await q.add('x', 'a', { id: 'a' });
    await q.add('x', 'b', { id: 'b', priority: 'high' });
    await q.add('x', 'c', { id: 'c' });
    await waitFor(() => failed.length === 3, 'three dead letters');
    await q.pause();
    ctl.failing = false;

    expect(await q.retryFailed()).toBe(3);
    let s = await h().state('dlq');
    expect(s.failed).toEqual({});
    expect(s.waiting.sort()).toEqual(['a', 'c']);
    expect(s.prio).toEqual(['b']);
    for (const id of ['a', 'b', 'c']) {
      expect(s.info[id]).toMatchObject({ attempts: 0, stalls: 0, retriedByHand: 1 });
      expect(s.info[id]!.failedReason).toBeUndefined();
      expect(s.info[id]!.history).toHaveLength(2);
    }
    expect((await q.getJob('a'))!.state).toBe('waiting');
    expect(await q.retryFailed()).toBe(0);

    const runsBefore = ctl.runs.length;
    await q.resume();
    await waitFor(async () => (await q.stats()).completed === 3, 'three completions');
    const reruns = ctl.runs.slice(runsBefore);
    expect(reruns.map((j) => j.id).sort()).toEqual(['a', 'b', 'c']);
    for (const j of reruns) expect(j.attemptsMade).toBe(0);
    s = await h().state('dlq');
    expect(Object.keys(s.completed).sort()).toEqual(['a', 'b', 'c']);
    expect(s.results.a).toBe('"a done"');
    expect(s.meta).toMatchObject({ failed: '3', completed: '3' });
  });

  it('retryFailed(ids) moves only those ids, skipping any that are not dead letters', async () => {
    const { q, ctl, failed } = failingQueue({ maxAttempts: 1 });
    for (const id of ['a', 'b', 'c']) await q.add('x', id, { id });
    await waitFor(() => failed.length === 3, 'three dead letters');
    await q.pause();
    ctl.failing = false;
    await q.add('x', 'w', { id: 'w' });

    expect(await q.retryFailed(['c', 'a', 'w', 'missing'])).toBe(2);
    const s = await h().state('dlq');
    expect(Object.keys(s.failed)).toEqual(['b']);
    expect(s.waiting).toEqual(['w', 'c', 'a']);
    expect(s.info.b).toMatchObject({ attempts: 1, failedReason: 'b failed on attempt 1' });
    expect(s.info.a).toMatchObject({ attempts: 0, retriedByHand: 1 });
    expect(await q.retryFailed(['a'])).toBe(0);
  });

  it('remove deletes a dead letter and its data', async () => {
    const { q, failed } = failingQueue({ maxAttempts: 1 });
    await q.add('x', 'gone', { id: 'g' });
    await q.add('x', 'kept', { id: 'k' });
    await waitFor(() => failed.length === 2, 'dead letters');
    expect(await q.remove('g')).toBe(true);
    expect(await q.remove('g')).toBe(false);
    const s = await h().state('dlq');
    expect(Object.keys(s.failed)).toEqual(['k']);
    expect(s.jobs).toEqual(['k']);
    expect(Object.keys(s.info)).toEqual(['k']);
    expect(await q.getJob('g')).toBeUndefined();
    expect(await q.retryFailed(['g'])).toBe(0);
  });
});
