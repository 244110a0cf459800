/** Priorities: higher first, FIFO within one level; named aliases and numeric levels. */
import { describe, expect, it } from 'vitest';
import { PRIORITY, type AddOptions } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { useHarness } from './helpers.js';

const h = useHarness();

/** Adds jobs (id, priority) while no worker runs, then runs them one at a time; returns the order. */
async function runOrder(jobs: [string, AddOptions['priority']][]): Promise<string[]> {
  const q = h().queue('prio');
  for (const [id, priority] of jobs) await q.add('x', null, { id, priority });
  const order: string[] = [];
  const w = h().worker('prio', async (job) => void order.push(job.id), { autorun: false });
  w.run();
  await waitFor(() => order.length === jobs.length, 'all jobs');
  return order;
}

describe('priorities', () => {
  it('names: high = 10, normal = 0, low = -10', () => {
    expect(PRIORITY).toEqual({ high: 10, normal: 0, low: -10 });
  });

  it('runs high before normal before low, FIFO within each', async () => {
    const order = await runOrder([
      ['n1', 'normal'],
      ['l1', 'low'],
      ['h1', 'high'],
      ['n2', undefined],
      ['l2', 'low'],
      ['h2', 'high'],
      ['n3', 0],
      ['h3', 'high'],
      ['l3', 'low'],
    ]);
    expect(order).toEqual(['h1', 'h2', 'h3', 'n1', 'n2', 'n3', 'l1', 'l2', 'l3']);
  });

  it('orders numeric levels, extremes included', async () => {
    const order = await runOrder([
      ['m1000', -1000],
      ['zero', 0],
      ['one', 1],
      ['p1000', 1000],
      ['m1', -1],
      ['ten', 'high'],
      ['eleven', 11],
      ['one-b', 1],
    ]);
    expect(order).toEqual(['p1000', 'eleven', 'ten', 'one', 'one-b', 'zero', 'm1', 'm1000']);
  });

  it('stores the level with the job and keeps non-default ones in the prio set', async () => {
    const q = h().queue('prio');
    await q.add('x', null, { id: 'a', priority: 'high' });
    await q.add('x', null, { id: 'b' });
    await q.add('x', null, { id: 'c', priority: -3 });
    const s = await h().state('prio');
    expect(s.prio).toEqual(['a', 'c']);
    expect(s.waiting).toEqual(['b']);
    expect((await q.getJob('a'))!.priority).toBe(10);
    expect((await q.getJob('c'))!.priority).toBe(-3);
    expect((await q.stats()).waiting).toBe(3);
  });

  it('a recovered (stalled) job goes back to the front of its own level', async () => {
    const q = h().queue('prio');
    for (const id of ['h1', 'h2']) await q.add('x', null, { id, priority: 'high' });
    await q.add('x', null, { id: 'n1' });
    await h().commands('prio').fetch(1, 50, 'dead:1'); // h1 taken by a worker that died
    await q.pause();
    const order: string[] = [];
    const w = h().worker('prio', async (job) => void order.push(job.id), { stallCheckMs: 10 });
    const stalled = new Promise((r) => w.once('stalled', r));
    await stalled;
    const s = await h().state('prio');
    expect(s.prio).toEqual(['h1', 'h2']);
    expect(s.waiting).toEqual(['n1']);
    await q.resume();
    await waitFor(() => order.length === 3, 'all jobs');
    expect(order).toEqual(['h1', 'h2', 'n1']);
  });

  it('a busy queue still serves a new high-priority job next', async () => {
    const q = h().queue('prio');
    await q.addBulk(Array.from({ length: 20 }, (_, i) => ({ data: i, opts: { id: `n${i}` } })));
    const order: string[] = [];
    let added = false;
    h().worker('prio', async (job) => {
      order.push(job.id);
      if (!added) {
        added = true;
        await q.add('x', null, { id: 'urgent', priority: 'high' });
      }
    });
    await waitFor(() => order.length === 21, 'all jobs');
    expect(order.slice(0, 2)).toEqual(['n0', 'urgent']);
  });
});
