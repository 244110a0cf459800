/**
 * Flows, as cases that run on any Redis: `flow.test.ts` runs them on the shared server,
 * `flow-cluster.test.ts` on the 3-master Cluster fixture (parent and children in three queues,
 * so three slots: every step must stay within one).
 */
import { describe, expect, it } from 'vitest';
import { FlowProducer, type Job } from '../../src/index.js';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { script } from '../../src/redis/scripts.js';
import { deliverKeys } from '../../src/queue/flows/flow-relay.js';
import { waitFor } from '../harness/context.js';
import { useHarness, type Harness } from './helpers.js';

function producer(h: Harness): FlowProducer {
  return new FlowProducer({ connection: h.connection, prefix: h.prefix });
}

export function flowCases(connection: () => ConnectionOptions): void {
  const h = useHarness(connection);

  describe('flows', () => {
    it('a parent waits for children in two other queues, then runs once with their results', async () => {
      const flows = producer(h());
      const tree = await flows.add({
        queue: 'fl-parent',
        name: 'report',
        data: { month: 1 },
        opts: { id: 'p1' },
        children: [
          { queue: 'fl-a', name: 'sales', data: { n: 2 }, opts: { id: 'a1' } },
          { queue: 'fl-b', name: 'stock', data: { n: 3 }, opts: { id: 'b1' } },
        ],
      });
      await flows.close();
      expect(tree).toEqual({
        queue: 'fl-parent',
        id: 'p1',
        created: true,
        children: [
          { queue: 'fl-a', id: 'a1', created: true },
          { queue: 'fl-b', id: 'b1', created: true },
        ],
      });
      // The parent is held in waiting-children with its pending count; the children wait.
      const r = h().redis;
      const pk = h().keys('fl-parent');
      expect(await r.zrange(pk.wchild, 0, -1)).toEqual(['p1']);
      expect(await r.llen(pk.wait)).toBe(0);
      expect(JSON.parse((await r.hget(pk.info, 'p1'))!)).toEqual({
        flow: { pending: 2, policy: 'fail', children: {} },
      });
      expect(await r.lrange(h().keys('fl-a').wait, 0, -1)).toEqual(['a1']);
      expect(await r.hget(h().keys('fl-a').parents, 'a1')).toBe('["fl-parent","p1"]');
      expect(await r.hget(h().keys('fl-a').meta, 'fl')).toBe('1');

      const runs: Job[] = [];
      h().worker('fl-parent', (job) => void runs.push(job), { flowRelayMs: 20 });
      h().worker<{ n: number }>('fl-a', (job) => ({ v: job.data.n * 10 }), { flowRelayMs: 20 });
      h().worker<{ n: number }>('fl-b', (job) => job.data.n * 100, { flowRelayMs: 20 });
      await waitFor(() => runs.length === 1, 'the parent to run');
      const results = runs[0]!.childResults();
      expect(results.sort((x, y) => x.queue.localeCompare(y.queue))).toEqual([
        { queue: 'fl-a', id: 'a1', status: 'completed', result: { v: 20 } },
        { queue: 'fl-b', id: 'b1', status: 'completed', result: 300 },
      ]);
      expect(runs[0]!.pendingChildren).toBe(0);
      await waitFor(async () => (await r.zscore(pk.completed, 'p1')) !== null, 'p1 completed');
      // Outboxes acknowledged, parent refs gone, nothing left waiting for children.
      expect(await r.xlen(h().keys('fl-a').flowout)).toBe(0);
      expect(await r.xlen(h().keys('fl-b').flowout)).toBe(0);
      expect(await r.hlen(h().keys('fl-a').parents)).toBe(0);
      expect(await r.zcard(pk.wchild)).toBe(0);
      expect(runs).toHaveLength(1);
    });

    it("onChildFailure 'fail': a child that fails for good fails the parent, which never runs", async () => {
      const flows = producer(h());
      await flows.add({
        queue: 'ff-parent',
        name: 'p',
        opts: { id: 'p1' },
        children: [
          { queue: 'ff-a', name: 'bad', opts: { id: 'bad1', maxAttempts: 1 } },
          { queue: 'ff-a', name: 'good', opts: { id: 'good1' } },
        ],
      });
      await flows.close();
      let parentRuns = 0;
      h().worker('ff-parent', () => void parentRuns++, { flowRelayMs: 20 });
      h().worker(
        'ff-a',
        (job) => {
          if (job.name === 'bad') throw new Error('boom');
          return 'ok';
        },
        { flowRelayMs: 20 },
      );
      const q = h().queue('ff-parent');
      const failed = await waitFor(async () => {
        const j = await q.getJob('p1');
        return j?.state === 'failed' ? j : undefined;
      }, 'the parent to fail');
      expect(failed!.failedReason).toBe('child ff-a|bad1 failed: boom');
      expect(failed!.childResults()).toContainEqual({
        queue: 'ff-a',
        id: 'bad1',
        status: 'failed',
        error: 'boom',
      });
      // The other child's late report changes nothing.
      await waitFor(
        async () => (await h().redis.zscore(h().keys('ff-a').completed, 'good1')) !== null,
        'good1 completed',
      );
      await waitFor(async () => (await h().redis.xlen(h().keys('ff-a').flowout)) === 0, 'relay');
      expect((await q.getJob('p1'))!.state).toBe('failed');
      expect(parentRuns).toBe(0);
    });

    it("onChildFailure 'ignore': the parent runs and sees the failed child's error", async () => {
      const flows = producer(h());
      await flows.add({
        queue: 'fi-parent',
        name: 'p',
        opts: { id: 'p1' },
        onChildFailure: 'ignore',
        children: [
          { queue: 'fi-a', name: 'bad', opts: { id: 'bad1', maxAttempts: 1 } },
          { queue: 'fi-b', name: 'good', opts: { id: 'good1' } },
        ],
      });
      await flows.close();
      const runs: Job[] = [];
      h().worker('fi-parent', (job) => void runs.push(job), { flowRelayMs: 20 });
      h().worker(
        'fi-a',
        () => {
          throw new Error('nope');
        },
        { flowRelayMs: 20 },
      );
      h().worker('fi-b', () => 'fine', { flowRelayMs: 20 });
      await waitFor(() => runs.length === 1, 'the parent to run');
      expect(runs[0]!.childResults().sort((x, y) => x.queue.localeCompare(y.queue))).toEqual([
        { queue: 'fi-a', id: 'bad1', status: 'failed', error: 'nope' },
        { queue: 'fi-b', id: 'good1', status: 'completed', result: 'fine' },
      ]);
    });

    it('a nested flow: a child that is itself a parent reports only after its own children', async () => {
      const flows = producer(h());
      await flows.add({
        queue: 'fn-top',
        name: 'top',
        opts: { id: 't' },
        children: [
          {
            queue: 'fn-mid',
            name: 'mid',
            opts: { id: 'm' },
            children: [{ queue: 'fn-leaf', name: 'leaf', data: 5, opts: { id: 'l' } }],
          },
        ],
      });
      await flows.close();
      const order: string[] = [];
      const seen: unknown[] = [];
      h().worker('fn-top', (job) => void (order.push('top'), seen.push(job.childResults())), {
        flowRelayMs: 20,
      });
      h().worker(
        'fn-mid',
        (job) => {
          order.push('mid');
          return (job.childResults()[0]!.result as number) + 1;
        },
        { flowRelayMs: 20 },
      );
      h().worker<number>('fn-leaf', (job) => (order.push('leaf'), job.data * 2), {
        flowRelayMs: 20,
      });
      await waitFor(() => order.length === 3, 'all three to run');
      expect(order).toEqual(['leaf', 'mid', 'top']);
      expect(seen).toEqual([[{ queue: 'fn-mid', id: 'm', status: 'completed', result: 11 }]]);
    });

    it('a completion message delivered twice (relay died before acknowledging) counts once', async () => {
      const flows = producer(h());
      await flows.add({
        queue: 'fd-parent',
        name: 'p',
        opts: { id: 'p1' },
        children: [
          { queue: 'fd-a', name: 'c', opts: { id: 'c1' } },
          { queue: 'fd-a', name: 'c', opts: { id: 'c2' } },
        ],
      });
      // repeating the add (same ids) adds nothing and changes no count
      const again = await flows.add({
        queue: 'fd-parent',
        name: 'p',
        opts: { id: 'p1' },
        children: [
          { queue: 'fd-a', name: 'c', opts: { id: 'c1' } },
          { queue: 'fd-a', name: 'c', opts: { id: 'c2' } },
        ],
      });
      await flows.close();
      expect(again.created).toBe(false);
      expect(again.children!.map((c) => c.created)).toEqual([false, false]);
      const deliver = script(h().redis, 'flow_deliver');
      const keys = deliverKeys(h().keys('fd-parent'));
      const msg = [1, 'fd-a|c1', 'p1', 'completed', '"r1"'];
      expect(await deliver(keys, msg)).toEqual([1]);
      expect(await deliver(keys, msg)).toEqual([0]);
      const info = JSON.parse((await h().redis.hget(h().keys('fd-parent').info, 'p1'))!) as {
        flow: { pending: number };
      };
      expect(info.flow.pending).toBe(1);
      expect(await h().redis.zrange(h().keys('fd-parent').wchild, 0, -1)).toEqual(['p1']);
      expect(await deliver(keys, [1, 'fd-a|c2', 'p1', 'completed', ''])).toEqual([1]);
      expect(await h().redis.zcard(h().keys('fd-parent').wchild)).toBe(0);
      expect(await h().redis.lrange(h().keys('fd-parent').wait, 0, -1)).toEqual(['p1']);
      // after the release, a late duplicate changes nothing
      expect(await deliver(keys, msg)).toEqual([0]);
      expect(await h().redis.lrange(h().keys('fd-parent').wait, 0, -1)).toEqual(['p1']);
    });
  });
}
