/**
 * Schedulers on the real 3-master Redis Cluster fixture: every schedule key shares the queue's
 * slot and arrives in KEYS; the change announcement (PUBLISH from a script) reaches a scheduler
 * subscribed through a cluster client. Two queues tick side by side.
 */
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { onRedisCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

function scheduleCases(connection: () => ConnectionOptions): void {
  const h = useHarness(connection);
  describe('schedulers on a cluster', () => {
    it('two schedulers and two queues: one job per tick; upsert and remove', async () => {
      const schedulers = [0, 1].flatMap(() =>
        ['ca', 'cb'].map((q) => new Scheduler(q, { connection: connection(), prefix: h().prefix })),
      );
      try {
        for (const s of schedulers) await s.start();
        const runs: Record<string, string[]> = { ca: [], cb: [] };
        for (const name of ['ca', 'cb']) {
          h().worker(name, async (job) => void runs[name]!.push(job.id), { schedules: false });
        }
        const qa = h().queue('ca');
        const qb = h().queue('cb');
        await sleep(100);
        const a = await qa.schedule('t', { everyMs: 100 });
        await qb.schedule('t', { everyMs: 150, data: 'b' });
        await waitFor(() => runs.ca!.length >= 10 && runs.cb!.length >= 6, 'ticks on both', 10_000);
        // upsert: a new interval takes over from the next tick
        const b = await qb.schedule('t', { everyMs: 100, data: 'b2' });
        expect(b.changed).toBe(true);
        const before = runs.cb!.length;
        await waitFor(() => runs.cb!.length >= before + 3, 'ticks of the new spec', 10_000);
        expect(await qa.unschedule('t')).toBe(true);
        await qb.unschedule('t');
        for (const [name, ids] of Object.entries(runs)) {
          expect(new Set(ids).size, name).toBe(ids.length);
          const ticks = ids.map((id) => Number(id.split(':')[2]));
          for (let i = 1; i < ticks.length; i++) expect(ticks[i]!).toBeGreaterThan(ticks[i - 1]!);
        }
        const ta = runs.ca!.map((id) => Number(id.split(':')[2]));
        expect(ta[0]).toBe(a.next);
        for (let i = 1; i < ta.length; i++) expect(ta[i]! - ta[i - 1]!).toBe(100);
        const latest = await qb.getJob(runs.cb!.at(-1)!);
        expect(latest?.data).toBe('b2');
      } finally {
        for (const s of schedulers) await s.close();
      }
    }, 30_000);
  });
}

onRedisCluster(scheduleCases);
