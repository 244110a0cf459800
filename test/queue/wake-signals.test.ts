/**
 * Wake-up signals left for jobs already taken: a fetch that takes the last waiting jobs drops
 * the `w` signals still pending (they were for those jobs), keeps every other signal, and a
 * fetch that leaves work keeps them all. The race that leaves one behind — two adds Redis reads
 * in one go while a worker waits — is reproduced with one write of both adds.
 */
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { QueueCommands } from '../../src/queue/commands/commands.js';
import { WakeListener } from '../../src/queue/worker/fetching/wake-listener.js';
import { redisUrl } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

const h = useHarness();

describe('wake-up signals', () => {
  it('a fetch that empties the queue drops the signals for waiting jobs and keeps the others', async () => {
    const q = h().queue('sig1');
    const k = h().keys('sig1');
    await q.add('x', 1);
    await q.add('x', 2); // a signal is pending: the second add pushes none
    expect(await h().redis.lrange(k.marker, 0, -1)).toEqual(['w']);
    await h().redis.lpush(k.marker, '1'); // e.g. a worker ending its own wait
    const { jobs } = await h().commands('sig1').fetch(10, 30_000, 'w:1');
    expect(jobs).toHaveLength(2);
    expect(await h().redis.lrange(k.marker, 0, -1)).toEqual(['1']);
  });

  it('a fetch that leaves work behind keeps them', async () => {
    const q = h().queue('sig2');
    const k = h().keys('sig2');
    for (let i = 0; i < 3; i++) await q.add('x', i);
    const { jobs } = await h().commands('sig2').fetch(2, 30_000, 'w:1');
    expect(jobs).toHaveLength(2);
    expect(await h().redis.lrange(k.marker, 0, -1)).toEqual(['w']);
  });

  it('a new earliest due time pushes a signal no fetch drops, even behind a pending `w`', async () => {
    const q = h().queue('sig4');
    const k = h().keys('sig4');
    await q.add('x', 1); // a `w` pending, no worker to read it
    await q.add('x', 2, { delay: 60_000 }); // a new earliest due time: an idle worker must learn it
    expect(await h().redis.lrange(k.marker, 0, -1)).toEqual(['1', 'w']);
    // a busy worker's fetch takes the waiting job and drops the `w`: the `1` stays for an idle one
    await h().commands('sig4').fetch(10, 30_000, 'w:1');
    expect(await h().redis.lrange(k.marker, 0, -1)).toEqual(['1']);
    await q.add('x', 3, { delay: 30_000 }); // earlier again, a `1` pending: no second one
    expect(await h().redis.lrange(k.marker, 0, -1)).toEqual(['1']);
  });

  it('two adds read in one go by Redis leave no signal behind once a waiting worker took both', async () => {
    const k = h().keys('sig3');
    const client = new Redis(redisUrl());
    const wl = new WakeListener(client, new QueueCommands(client, k), k.marker, 600_000);
    const woken = wl.wait(10, 30_000, 'w:1');
    await sleep(50); // blocked, its fetch queued behind the BLPOP
    // Both adds in one write: Redis runs the first (which wakes the listener), then the second
    // (which finds that signal popped and pushes one), then the listener's fetch, which takes both.
    const producer = new Redis(redisUrl());
    const cmd = new QueueCommands(producer, k);
    // connected, and the script loaded on this connection: the cork below holds both calls
    await new QueueCommands(producer, h().keys('sig3-warm')).addPlainFirst(
      ['x||0'],
      await h().now(),
    );
    const now = await h().now();
    producer.stream.cork();
    const adds = [cmd.addPlainFirst(['x||1'], now), cmd.addPlainFirst(['x||2'], now)];
    producer.stream.uncork();
    await Promise.all(adds);
    const reply = (await woken)!;
    expect(reply.jobs.map((j) => j.id).sort()).toEqual(['1', '2']);
    // without the drop, a `w` stays here and the next wait returns at once to fetch nothing
    expect(await h().redis.lrange(k.marker, 0, -1)).toEqual([]);
    await wl.stop(
      (id) => h().redis.client('UNBLOCK', id),
      () => h().redis.lpush(k.marker, '1'),
    );
    producer.disconnect();
  });
});
