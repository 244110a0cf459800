/**
 * BullMQ's guide, "Events", "Flows" and "Job Schedulers" pages, translated to our API and run on
 * real Redis (see jobs.test.ts for the conventions).
 */
import { describe, expect, it } from 'vitest';
import { FlowProducer, type Queue } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { useHarness } from '../queue/helpers.js';

const h = useHarness();

/** Starts listening to the queue's events and resolves once they flow. */
function listening(q: Queue, events: [string, ...unknown[]][]): Promise<void> {
  const ready = new Promise<void>((r) => q.once('ready', r));
  for (const name of ['waiting', 'active', 'completed', 'failed', 'retrying', 'removed'] as const)
    q.on(name, (...args: unknown[]) => events.push([name, ...args]));
  return ready;
}

describe('guide/events', () => {
  it('QueueEvents completed/failed → queue.on: seen by another process handle, with the value', async () => {
    const producer = h().queue('Paint');
    const listener = h().queue('Paint'); // another handle, as a QueueEvents would be
    const events: [string, ...unknown[]][] = [];
    await listening(listener, events);
    const ok = await producer.add('a', 1);
    const bad = await producer.add('b', 2, { maxAttempts: 1 });
    h().worker('Paint', async (job) => {
      if (job.name === 'b') throw new Error('boom');
      return { painted: true };
    });
    await waitFor(() => events.some((e) => e[0] === 'failed'), 'failed event');
    await waitFor(() => events.some((e) => e[0] === 'completed'), 'completed event');
    expect(events).toContainEqual(['completed', ok.id, { painted: true }]);
    expect(events).toContainEqual([
      'failed',
      bad.id,
      'boom',
      expect.objectContaining({ attemptsMade: 1, willRetry: false }),
    ]);
    expect(events).toContainEqual(['waiting', ok.id]);
    expect(events).toContainEqual(['active', ok.id]);
  });

  it('by design a failed attempt that will run again is `retrying` (BullMQ: failed + delayed)', async () => {
    const q = h().queue('Paint');
    const events: [string, ...unknown[]][] = [];
    await listening(q, events);
    const { id } = await q.add('a', 1, {
      maxAttempts: 2,
      backoff: { type: 'fixed', delayMs: 10 },
    });
    h().worker('Paint', async (job) => {
      if (job.attemptsMade === 0) throw new Error('first');
    });
    await waitFor(() => events.some((e) => e[0] === 'completed'), 'completed');
    const retrying = events.find((e) => e[0] === 'retrying');
    expect(retrying).toEqual([
      'retrying',
      id,
      'first',
      expect.objectContaining({ attemptsMade: 1, willRetry: true, retryAt: expect.any(Number) }),
    ]);
    expect(events.filter((e) => e[0] === 'failed')).toEqual([]);
  });

  it('job.waitUntilFinished(queueEvents) → queue.waitUntilFinished(id, ms) resolves the result', async () => {
    const q = h().queue('Paint');
    h().worker('Paint', async (job) => `painted ${String(job.data)}`);
    const { id } = await q.add('wall', 'blue');
    expect(await q.waitUntilFinished(id, 10_000)).toBe('painted blue');
  });
});

describe('guide/flows', () => {
  it('a parent runs after its children, in other queues, and reads their results', async () => {
    const flows = new FlowProducer({ connection: h().connection, prefix: h().prefix });
    try {
      const tree = await flows.add({
        queue: 'renovate',
        name: 'renovate-interior',
        children: [
          { name: 'paint', data: { place: 'ceiling' }, queue: 'steps' },
          { name: 'paint', data: { place: 'walls' }, queue: 'steps' },
          { name: 'fix', data: { place: 'floor' }, queue: 'steps' },
        ],
      });
      expect(tree.children).toHaveLength(3);
      const order: string[] = [];
      h().worker<{ place: string }>('steps', async (job) => {
        order.push(job.data.place);
        return `${job.name} ${job.data.place}`;
      });
      const parent = h().queue('renovate');
      let seen: unknown[] = [];
      h().worker('renovate', async (job) => {
        order.push('parent');
        seen = job.childResults().map((c) => c.result);
      });
      await waitFor(async () => (await parent.getJob(tree.id))?.state === 'completed', 'parent');
      expect(order.at(-1)).toBe('parent');
      expect(order).toHaveLength(4);
      expect(seen.sort()).toEqual(['fix floor', 'paint ceiling', 'paint walls']);
    } finally {
      await flows.close();
    }
  });

  it('failParentOnFailure is our default (onChildFailure fail); ignoreDependencyOnFailure → ignore', async () => {
    const flows = new FlowProducer({ connection: h().connection, prefix: h().prefix });
    try {
      const failing = await flows.add({
        queue: 'top',
        name: 'p1',
        children: [{ queue: 'kids', name: 'bad', opts: { maxAttempts: 1 } }],
      });
      const ignoring = await flows.add({
        queue: 'top',
        name: 'p2',
        onChildFailure: 'ignore',
        children: [{ queue: 'kids', name: 'bad', opts: { maxAttempts: 1 } }],
      });
      h().worker('kids', async () => {
        throw new Error('child broke');
      });
      h().worker('top', async (job) => job.childResults().map((c) => c.status));
      const top = h().queue('top');
      await waitFor(async () => (await top.getJob(failing.id))?.state === 'failed', 'p1 failed');
      expect((await top.getJob(failing.id))?.failedReason).toMatch(/child broke/);
      await waitFor(async () => (await top.getJob(ignoring.id))?.state === 'completed', 'p2 ran');
      expect((await top.getJob(ignoring.id))?.returnValue).toEqual(['failed']);
    } finally {
      await flows.close();
    }
  });
});

describe('guide/job-schedulers', () => {
  it('upsertJobScheduler(id, { every }) → schedule(key, { everyMs }): jobs per tick; upsert replaces', async () => {
    const q = h().queue('reports');
    const first = await q.schedule('my-scheduler-id', { everyMs: 100, data: { v: 1 } });
    const again = await q.schedule('my-scheduler-id', { everyMs: 100, data: { v: 2 } });
    expect(first.key).toBe('my-scheduler-id');
    expect(again.key).toBe('my-scheduler-id');
    expect(await q.schedules()).toHaveLength(1);
    const ran: unknown[] = [];
    h().worker('reports', async (job) => void ran.push(job.data));
    await waitFor(() => ran.length >= 2, 'two ticks ran');
    expect(ran.slice(0, 2)).toEqual([{ v: 2 }, { v: 2 }]);
    expect(await q.unschedule('my-scheduler-id')).toBe(true); // removeJobScheduler
    expect(await q.schedules()).toEqual([]);
  });
});
