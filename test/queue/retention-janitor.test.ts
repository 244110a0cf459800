/**
 * The retention janitor alone against real Redis: it removes finished jobs past their age (or
 * count) with all their data while nothing else finishes, and each pass is bounded.
 */
import { describe, expect, it } from 'vitest';
import type { Retention } from '../../src/queue/commands/commands.js';
import {
  JANITOR_PER_CALL,
  JANITOR_PER_PASS,
  RetentionJanitor,
} from '../../src/queue/worker/tasks/retention-janitor.js';
import { waitFor } from '../harness/context.js';
import { useHarness } from './helpers.js';

const h = useHarness();
const fail = (err: unknown) => {
  throw err;
};
const NONE: Retention = { count: 0, ageMs: 0 };

function janitor(keepCompleted: Retention, keepFailed: Retention, intervalMs = 20) {
  return new RetentionJanitor(h().commands('jan'), { keepCompleted, keepFailed, intervalMs }, fail);
}

/** Runs `ids` through add → fetch → complete (or fail for ids starting with 'f'). */
async function finish(ids: string[], dedup = false) {
  const q = h().queue('jan');
  const cmd = h().commands('jan');
  for (const id of ids) await q.add('x', id, { id, ...(dedup ? { dedupKey: `k-${id}` } : {}) });
  const { jobs } = await cmd.fetch(ids.length, 60_000, `w:${ids[0]}`);
  const keep = { count: 1000, ageMs: 0 };
  const done = jobs.filter((j) => !j.id.startsWith('f'));
  await cmd.complete(
    done.map((j) => ({ id: j.id, token: j.token, result: JSON.stringify(`r-${j.id}`) })),
    keep,
    0,
    60_000,
    'w:x',
  );
  for (const j of jobs.filter((j) => j.id.startsWith('f')))
    await cmd.fail(j.id, j.token, { action: 'fail' }, { error: 'boom' }, keep, 10);
}

/** Puts `n` finished jobs straight into a set, `ageMs` old. */
async function seed(set: 'completed' | 'failed', n: number, ageMs: number) {
  const k = h().keys('jan');
  const now = await h().now();
  const z: (string | number)[] = [];
  const jobs: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    z.push(now - ageMs, `old-${i}`);
    jobs[`old-${i}`] = `#${(now - ageMs).toString(36)}|0|x||null`;
  }
  await h().redis.zadd(k[set], ...z);
  await h().redis.hset(k.jobs, jobs);
}

describe('RetentionJanitor', () => {
  it('removes jobs past their age on a quiet queue, with all their data; keeps the young', async () => {
    await finish(['old-c', 'f-old', 'young-c', 'f-young'], true);
    // Age two of them: finished two minutes ago (the score is the finish time).
    const k = h().keys('jan');
    const past = (await h().now()) - 120_000;
    await h().redis.zadd(k.completed, 'XX', past, 'old-c');
    await h().redis.zadd(k.failed, 'XX', past, 'f-old');
    const before = await h().state('jan');
    expect(Object.keys(before.completed).sort()).toEqual(['old-c', 'young-c']);
    expect(Object.keys(before.failed).sort()).toEqual(['f-old', 'f-young']);

    const keep = { count: 1000, ageMs: 60_000 };
    const j = janitor(keep, keep);
    j.start();
    await waitFor(async () => {
      const s = await h().state('jan');
      return !('old-c' in s.completed) && !('f-old' in s.failed);
    }, 'old jobs removed');
    await j.stop();

    const s = await h().state('jan');
    expect(Object.keys(s.completed)).toEqual(['young-c']);
    expect(Object.keys(s.failed)).toEqual(['f-young']);
    expect(s.jobs).toEqual(['f-young', 'young-c']);
    expect(s.results).toEqual({ 'young-c': '"r-young-c"' });
    expect(Object.keys(s.info)).toEqual(['f-young']);
    // The dedup keys of removed jobs are released; the kept jobs still hold theirs.
    expect(await h().redis.hgetall(k.dedup)).toEqual({
      'k-young-c': 'young-c',
      'k-f-young': 'f-young',
    });
  });

  it('applies short ages as they pass, with no job finishing', async () => {
    await finish(['a', 'b', 'f1']);
    const j = janitor({ count: 1000, ageMs: 150 }, { count: 1000, ageMs: 150 });
    j.start();
    await waitFor(async () => (await h().state('jan')).jobs.length === 0, 'all aged out');
    await j.stop();
    const s = await h().state('jan');
    expect([s.completed, s.failed, s.results, s.info]).toEqual([{}, {}, {}, {}]);
  });

  it('trims by count too, and leaves a set whose count is 0 alone', async () => {
    await finish(['c1', 'c2', 'f1', 'f2', 'f3']);
    await janitor(NONE, { count: 1, ageMs: 0 }).runNow();
    const s = await h().state('jan');
    expect(Object.keys(s.completed).sort()).toEqual(['c1', 'c2']);
    expect(Object.keys(s.failed)).toHaveLength(1);
    expect(s.jobs).toHaveLength(3);
  });

  it(`removes at most ${JANITOR_PER_CALL} per call and ${JANITOR_PER_PASS} per pass`, async () => {
    await seed('completed', 1200, 120_000);
    await seed('failed', 1300, 120_000); // same ids: one job data set, two finished sets
    const k = h().keys('jan');
    const keep = { count: 100_000, ageMs: 60_000 };
    const cmd = h().commands('jan');
    expect(await cmd.trimFinished(keep, keep, JANITOR_PER_CALL)).toBe(JANITOR_PER_CALL);
    expect(await h().redis.zcard(k.completed)).toBe(1100);

    const j = janitor(keep, keep);
    await j.runNow();
    expect((await h().redis.zcard(k.completed)) + (await h().redis.zcard(k.failed))).toBe(1400);
    expect(await h().redis.zcard(k.completed)).toBe(100);
    await j.runNow();
    expect(await h().redis.zcard(k.completed)).toBe(0);
    expect(await h().redis.zcard(k.failed)).toBe(400);
    await j.runNow();
    expect(await h().redis.zcard(k.failed)).toBe(0);
    expect(await h().redis.hlen(k.jobs)).toBe(0);
    expect(await cmd.trimFinished(keep, keep, JANITOR_PER_CALL)).toBe(0);
  });
});
