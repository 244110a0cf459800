/**
 * Every part of Sluice once, against one connection: queue add / work / retry / fail /
 * retry-failed / clear and the admin ops, queue events, the registry, and stream publish /
 * range / subscribe / consumer group (with a dead letter) / ephemeral topic / cursors. The ACL
 * test runs it as the least-privilege user of docs/operations.md.
 */
import { expect } from 'vitest';
import { Queue, Registry, START, Streams, Worker } from '../../src/index.js';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { waitFor } from '../harness/context.js';

export async function runWholeLifecycle(connection: ConnectionOptions, prefix: string) {
  const queue = new Queue<{ n: number }>('life', { connection, prefix });
  const streams = new Streams({ connection, prefix });
  const registry = new Registry({ connection, prefix });
  const tries = new Map<number, number>();
  const worker = new Worker<{ n: number }>(
    'life',
    (job) => {
      const n = job.data.n;
      tries.set(n, (tries.get(n) ?? 0) + 1);
      if (n === 2 && tries.get(n) === 1) throw new Error('once'); // retried, then completes
      if (n === 3 && tries.get(n)! <= 1) throw new Error('fatal'); // failed, retried by hand
    },
    {
      connection,
      prefix,
      retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 10 } },
      autorun: false,
    },
  );
  // Any error a component reports (a refused command included) fails the run.
  const errors: unknown[] = [];
  worker.on('error', (err) => errors.push(err));
  queue.on('error', (err) => errors.push(err));
  try {
    const completedEvents: string[] = [];
    queue.on('completed', (id) => completedEvents.push(id));
    await new Promise<void>((r) => queue.once('ready', () => r()));
    await queue.add('a', { n: 1 }, { id: 'one', dedupKey: 'k1' });
    expect((await queue.add('a', { n: 1 }, { id: 'dup', dedupKey: 'k1' })).created).toBe(false);
    await queue.add('a', { n: 2 }, { id: 'two', priority: 'high' });
    await queue.add('a', { n: 3 }, { id: 'three', maxAttempts: 1 });
    await queue.add('a', { n: 4 }, { id: 'four', delay: 60_000 });
    await queue.addBulk([{ data: { n: 5 }, opts: { id: 'five' } }]);
    await queue.pause();
    expect(await queue.isPaused()).toBe(true);
    await queue.resume();
    await queue.promote('four');
    worker.run();
    await waitFor(async () => (await queue.stats()).failed === 1, 'job three dead-lettered');
    await waitFor(async () => (await queue.stats()).completed === 4, 'four completions');
    expect((await queue.getJobs('failed')).jobs.map((j) => j.id)).toEqual(['three']);
    expect(await queue.retryFailed()).toBe(1);
    await waitFor(async () => (await queue.stats()).completed === 5, 'three after retry-failed');
    expect((await queue.getJob('two'))?.state).toBe('completed');
    await waitFor(() => completedEvents.length === 5, 'queue events');
    await worker.close();
    await queue.add('a', { n: 6 }, { id: 'six' });
    await queue.add('a', { n: 7 }, { id: 'seven', delay: 60_000 });
    expect(await queue.remove('six')).toBe(true);
    expect(await queue.clear({ keepDelayed: false })).toBe(1);
    expect((await queue.stats()).waiting).toBe(0);

    // Streams: history, live, a group with a dead letter, ephemeral, cursors.
    const topic = streams.topic<string>('conv');
    const sub = topic.subscribe({ after: START });
    await sub.ready();
    const first = await topic.publish('hello', { idempotencyKey: 'h1' });
    expect((await topic.publish('hello', { idempotencyKey: 'h1' })).position).toBe(first.position);
    await topic.publishBulk([{ data: 'bad' }, { data: 'bye' }]);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ev = await sub.next();
      if (ev.value?.type === 'entry') seen.push(ev.value.entry.data);
    }
    expect(seen).toEqual(['hello', 'bad', 'bye']);
    sub.close();
    expect((await topic.range({ after: first.position })).entries).toHaveLength(2);
    expect((await topic.latest(1))[0]?.data).toBe('bye');
    const group = topic.group('g');
    await group.create();
    const handled: string[] = [];
    const consumer = group.process(
      (entry) => {
        if (entry.data === 'bad') throw new Error('bad entry');
        handled.push(entry.data);
      },
      { consumer: 'c1', maxDeliveries: 1, retryDelayMs: 10, claimIdleMs: 500, blockMs: 200 },
    );
    consumer.on('error', (err) => errors.push(err));
    await consumer.ready();
    await waitFor(async () => (await group.deadLetters()).length === 1, 'dead letter');
    await waitFor(() => handled.length === 2, 'group handled');
    await waitFor(async () => (await group.stats()).pending === 0, 'acked');
    await consumer.close();
    expect((await topic.info()).length).toBe(3);
    await group.destroy();
    const eph = streams.ephemeral<string>('presence');
    const esub = eph.subscribe();
    await esub.ready();
    expect((await eph.publish('here')).receivers).toBe(1);
    expect((await esub.next()).value).toMatchObject({ type: 'entry' });
    esub.close();
    const cursors = streams.cursors();
    await cursors.set('u1', 'phone', 'conv', first.position);
    expect(await cursors.get('u1', 'phone', 'conv')).toBe(first.position);
    expect(await cursors.addUnread('u1', 'conv')).toBe(1);
    expect(await registry.queues()).toEqual(['life']);
    expect(await registry.topics()).toContain('conv');
    expect(await topic.delete()).toBe(true);
    expect(await streams.ping()).toBeGreaterThanOrEqual(0);
    expect(errors).toEqual([]);
  } finally {
    await worker.close();
    await queue.close();
    await streams.close();
    await registry.close();
  }
}
