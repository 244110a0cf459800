/**
 * Jobs due at the same time become waiting — and run — in the order they were added, as waiting
 * jobs do: the delayed zset keeps ties in id-string order (`1, 10, 11 … 2`), so the promotion
 * sorts them by the sequence `add` writes into each delayed job's record header.
 */
import { describe, expect, it } from 'vitest';
import { encodeBody } from '../../src/queue/job.js';
import type { AddSpec } from '../../src/queue/commands/commands.js';
import { waitFor } from '../harness/context.js';
import { useHarness } from './helpers.js';

const h = useHarness();

/** One worker, one job at a time, recording the order jobs start in. */
function orderOf(queue: string): string[] {
  const order: string[] = [];
  h().worker(queue, async (job) => void order.push(job.id), { concurrency: 1 });
  return order;
}

function spec(id: string, delayMs: number, priority = 0): AddSpec {
  return {
    id,
    priority,
    delayMs,
    dedupKey: '',
    dedupTtlMs: 0,
    entity: '',
    body: encodeBody('x', 'null', {}),
  };
}

describe('delayed jobs due at the same time', () => {
  it('run in enqueue order within one addBulk (auto ids: 1, 2 … 25, not 1, 10, 11 …)', async () => {
    const q = h().queue('ties');
    const added = await q.addBulk(
      Array.from({ length: 25 }, (_, i) => ({ data: i, opts: { delay: 150 } })),
    );
    const ids = added.map((a) => a.id);
    expect(new Set(Object.values((await h().state('ties')).delayed)).size).toBe(1); // one due time
    const order = orderOf('ties');
    await waitFor(() => order.length === 25, 'all 25 ran');
    expect(order).toEqual(ids);
  });

  it('run in enqueue order with ids of your own (z, y, x … not a, b, c)', async () => {
    const q = h().queue('ties');
    const ids = ['zeta', 'mu', 'alpha', 'omega', 'beta', 'b10', 'b9'];
    await q.addBulk(ids.map((id) => ({ data: null, opts: { id, delay: 150 } })));
    const order = orderOf('ties');
    await waitFor(() => order.length === ids.length, 'all ran');
    expect(order).toEqual(ids);
  });

  it('run in enqueue order across separate add calls, prioritised ones within their priority', async () => {
    const cmds = h().commands('ties');
    const now = await h().now(); // one due time for every call
    const ids = ['c', 'b', 'x20', 'x3', 'a'];
    for (const id of ids) await cmds.add([spec(id, 150)], now);
    await cmds.add([spec('p2', 150, 5), spec('p1', 150, 5)], now);
    const order = orderOf('ties');
    await waitFor(() => order.length === ids.length + 2, 'all ran');
    expect(order).toEqual(['p2', 'p1', ...ids]);
    // The sequence in the header leaves the record readable as before.
    const job = (await h().queue('ties').getJob('p1'))!;
    expect(job).toMatchObject({ createdAt: now, priority: 5, name: 'x', data: null });
    expect(await h().redis.hget(h().keys('ties').jobs, 'p1')).toMatch(/^#\w+\.\w+\|5\|x\|\|null$/);
  });

  it('more ties than one promotion batch (1000) still come out in enqueue order', async () => {
    const cmds = h().commands('ties');
    const now = await h().now();
    const ids = Array.from({ length: 1500 }, (_, i) => `j${1500 - i}`); // id order ≠ enqueue order
    for (let i = 0; i < ids.length; i += 500)
      await cmds.add(
        ids.slice(i, i + 500).map((id) => spec(id, 300)),
        now,
      );
    const order = orderOf('ties');
    await waitFor(() => order.length === ids.length, 'all ran', 20_000);
    expect(order).toEqual(ids);
  });

  it('a promotion batch that cuts a tie group leaves all of it for the next, in order', async () => {
    const cmds = h().commands('ties');
    const now = await h().now();
    // 900 due at one time, then 600 due 1 ms later: the first batch of 1000 would hold 100 of them.
    const first = Array.from({ length: 900 }, (_, i) => `a${900 - i}`);
    const second = Array.from({ length: 600 }, (_, i) => `b${600 - i}`);
    await cmds.add(
      first.map((id) => spec(id, 300)),
      now,
    );
    await cmds.add(
      second.map((id) => spec(id, 301)),
      now,
    );
    const order = orderOf('ties');
    await waitFor(() => order.length === 1500, 'all ran', 20_000);
    expect(order).toEqual([...first, ...second]);
  });
});
