/** The Worker's background components, each alone against real Redis. */
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { QueueCommands, type LeasedJob } from '../../src/queue/commands/commands.js';
import { Heartbeat } from '../../src/queue/worker/tasks/heartbeat.js';
import { LeaseReaper } from '../../src/queue/worker/tasks/lease-reaper.js';
import { PeriodicTask } from '../../src/periodic.js';
import { WakeListener } from '../../src/queue/worker/fetching/wake-listener.js';
import { redisUrl, waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

const h = useHarness();
const fail = (err: unknown) => {
  throw err;
};

describe('Heartbeat', () => {
  it('renews held leases and reports the ones lost', async () => {
    const q = h().queue('comp');
    const cmd = h().commands('comp');
    await q.add('x', null, { id: 'a' });
    await q.add('x', null, { id: 'b' });
    const { jobs } = await cmd.fetch(2, 200, 'w:1');
    const lost: string[] = [];
    const hb = new Heartbeat(
      cmd,
      10_000,
      20,
      () => jobs.map((j) => ({ id: j.id, token: j.token })),
      (id) => lost.push(id),
      fail,
    );
    hb.start();
    const start = await h().now();
    await waitFor(async () => {
      const active = (await h().state('comp')).active;
      return active.a! > start + 5000 && active.b! > start + 5000;
    }, 'leases renewed');
    await h().redis.hset(h().keys('comp').lease, 'b', 'someone-else');
    await waitFor(() => lost.includes('b'), 'lost lease reported');
    await hb.stop();
    expect(lost.every((id) => id === 'b')).toBe(true);
  });
});

describe('LeaseReaper', () => {
  it('requeues expired leases as stalls, then takes over past maxStalls', async () => {
    const q = h().queue('comp');
    const cmd = h().commands('comp');
    await q.add('x', null, { id: 'j' });
    const stalled: string[] = [];
    const takenOver: LeasedJob[] = [];
    let n = 0;
    const reaper = new LeaseReaper(
      cmd,
      { maxStalls: 1, leaseMs: 60_000, intervalMs: 15, tokenBase: () => `reaper:${++n}` },
      (id) => stalled.push(id),
      (job) => takenOver.push(job),
      fail,
    );
    reaper.start();
    await cmd.fetch(1, 50, 'dead:1');
    await waitFor(() => stalled.length === 1, 'first stall');
    expect((await h().state('comp')).waiting).toEqual(['j']);
    await cmd.fetch(1, 50, 'dead:2');
    await waitFor(() => takenOver.length === 1, 'take-over');
    await reaper.stop();
    expect(stalled).toEqual(['j']);
    const t = takenOver[0]!;
    expect(t.id).toBe('j');
    expect(JSON.parse(t.info)).toEqual({ stalls: 2, totalStalls: 2 });
    const s = await h().state('comp');
    expect(s.lease).toEqual({ j: t.token });
    expect(t.token.startsWith('reaper:')).toBe(true);
    expect(s.active.j).toBeGreaterThan((await h().now()) + 30_000);
  });
});

describe('WakeListener', () => {
  it('takes the jobs a wake-up signals in the same round trip, and none it was not asked for', async () => {
    const q = h().queue('comp');
    const k = h().keys('comp');
    const client = new Redis(redisUrl());
    const wl = new WakeListener(client, new QueueCommands(client, k), k.marker, 600_000);
    const first = wl.wait(2, 30_000, 'w:1');
    expect(wl.waiting).toBe(true);
    await sleep(50);
    const sent: string[] = [];
    const send = client.sendCommand.bind(client);
    client.sendCommand = (cmd, stream) => (sent.push(cmd.name), send(cmd, stream));
    await q.add('x', null, { id: 'a' }); // add wakes the listener
    const reply = (await first)!;
    expect(reply.jobs.map((j) => j.id)).toEqual(['a']);
    expect(await h().redis.hget(k.lease, 'a')).toBe(reply.jobs[0]!.token);
    expect(await h().redis.llen(k.marker)).toBe(0);
    // the fetch was sent behind the BLPOP before the job came: nothing more to take it
    expect(sent).toEqual([]);
    expect(wl.waiting).toBe(false);

    // count 0: the wake-up only (the caller fetches)
    const second = wl.wait(0, 30_000, 'w:2');
    await sleep(50);
    await q.add('x', null, { id: 'b' });
    expect(await second).toBeUndefined();
    expect(await h().redis.hexists(k.lease, 'b')).toBe(0);
    await wl.stop(
      (id) => h().redis.client('UNBLOCK', id),
      () => h().redis.lpush(k.marker, '1'),
    );
  });

  it('stop() ends a wait under way at once (CLIENT UNBLOCK), its reply still read', async () => {
    const k = h().keys('comp2');
    const client = new Redis(redisUrl());
    const wl = new WakeListener(client, new QueueCommands(client, k), k.marker, 600_000);
    const waiting = wl.wait(5, 30_000, 'w:1');
    await sleep(50);
    const t0 = Date.now();
    await wl.stop(
      (id) => h().redis.client('UNBLOCK', id),
      () => h().redis.lpush(k.marker, '1'),
    );
    expect(Date.now() - t0).toBeLessThan(900); // not the 1 s bound: unblocked
    expect((await waiting)!.jobs).toEqual([]);
  });
});

describe('PeriodicTask', () => {
  it('never runs two ticks at once, and stop() waits for the running tick', async () => {
    let running = 0;
    let maxRunning = 0;
    let ticks = 0;
    const task = new PeriodicTask(
      5,
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(30);
        ticks++;
        running--;
      },
      fail,
    );
    task.start();
    void task.runNow();
    void task.runNow();
    await waitFor(() => ticks >= 2, 'two ticks');
    await task.stop();
    expect(running).toBe(0);
    expect(maxRunning).toBe(1);
    const after = ticks;
    await sleep(60);
    expect(ticks).toBe(after);
  });
});

describe('reap of a job deleted while its lease ran', () => {
  it('drops the lease and writes no stall record for the missing job', async () => {
    const q = h().queue('gone');
    const cmd = h().commands('gone');
    await q.add('x', null, { id: 'g1' });
    await cmd.fetch(1, 1, 'w:1'); // a 1 ms lease: expired by the time the reaper looks
    await h().redis.hdel(h().keys('gone').jobs, 'g1'); // deleted from outside while active
    await sleep(5);
    await cmd.reap(1, 60_000, 'reaper:1', 100);
    const k = h().keys('gone');
    expect(await h().redis.zscore(k.active, 'g1')).toBeNull();
    expect(await h().redis.hexists(k.lease, 'g1')).toBe(0);
    expect(await h().redis.hexists(k.info, 'g1')).toBe(0); // old code left {stalls: 1} here
  });
});
