/**
 * Two scheduler processes whose clocks are off by +300 ms and −250 ms (the test-only
 * `nowOffsetMs`) run one schedule of everyMs 100: over 50 ticks every tick gets exactly one
 * job, none is skipped, and a worker runs each once. The scripts decide by Redis's clock.
 */
import { describe, expect, it } from 'vitest';
import { spawnFixture, type Child } from '../crash/process.js';
import { redisUrl, waitFor } from '../harness/context.js';
import { useHarness } from './helpers.js';

const harness = useHarness();

describe('schedulers with skewed clocks', () => {
  it('produce one job per tick over 50 ticks', async () => {
    const h = harness();
    const q = h.queue('skew');
    const children: Child[] = [];
    try {
      for (const offset of [300, -250]) {
        const child = spawnFixture('scheduler.ts', {
          REDIS_URL: redisUrl(),
          PREFIX: h.prefix,
          QUEUE: 'skew',
          OFFSET_MS: String(offset),
        });
        children.push(child);
        await child.waitFor((m) => m.ready === true);
      }
      const runs = new Map<string, number>();
      h.worker('skew', async (job) => void runs.set(job.id, (runs.get(job.id) ?? 0) + 1), {
        schedules: false,
        concurrency: 4,
      });
      const s = await q.schedule('tick', { everyMs: 100 });
      await waitFor(() => runs.size >= 51, '51 ticks run', 20_000);
      await q.unschedule('tick');
      for (const c of children) await c.kill9();

      const ticks = [...runs.keys()].map((id) => Number(id.split(':')[2])).sort((a, b) => a - b);
      expect(ticks[0]).toBe(s.next);
      for (let i = 1; i < ticks.length; i++) expect(ticks[i]! - ticks[i - 1]!).toBe(100);
      for (const n of runs.values()) expect(n).toBe(1);
      // No other tick job exists: only later ones (pending when the schedule was removed).
      const ids = (await h.redis.hkeys(h.keys('skew').jobs)).filter((id) =>
        id.startsWith('sched:'),
      );
      expect(ids.every((id) => runs.has(id) || Number(id.split(':')[2]) > ticks.at(-1)!)).toBe(
        true,
      );
    } finally {
      for (const c of children) await c.kill9();
    }
  }, 40_000);
});
