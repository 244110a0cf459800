/**
 * Fencing: a worker whose lease expired and whose job was handed to another worker cannot record
 * an outcome for it — its complete / fail / extend / release are rejected by lease token, it is
 * told so ('lease-lost'), and the job has exactly one recorded completion.
 */
import { describe, expect, it } from 'vitest';
import { LeaseLostError, type Job } from '../../src/index.js';
import { redisUrl, waitFor } from '../harness/context.js';
import { deferred, sleep, useHarness } from './helpers.js';
import { WorkerProcess } from './worker-process.js';

const h = useHarness();
const KEEP = { count: 100, ageMs: 0 };

describe('fencing', () => {
  it('the scripts reject every operation made with a stale token', async () => {
    const q = h().queue('fx');
    const cmd = h().commands('fx');
    await q.add('x', null, { id: 'f' });
    const first = await cmd.fetch(1, 100, 'stale');
    const staleToken = first.jobs[0]!.token;
    // The lease expires and is recovered; another worker takes the job.
    await waitFor(
      async () => (await cmd.reap(5, 1000, 'reaper', 100)).requeued.length === 1,
      'reap',
    );
    const second = await cmd.fetch(1, 30_000, 'fresh');
    const freshToken = second.jobs[0]!.token;
    expect(freshToken).not.toBe(staleToken);

    const stale = { id: 'f', token: staleToken };
    expect(
      (await cmd.complete([{ ...stale, result: '"stale"' }], KEEP, 0, 1000, 'x')).stale,
    ).toEqual(['f']);
    expect(await cmd.fail('f', staleToken, { action: 'fail' }, { error: 'stale' }, KEEP, 10)).toBe(
      0,
    );
    expect(await cmd.extend([stale], 60_000)).toEqual({ lost: ['f'], cancelled: [] });
    expect(await cmd.release([stale])).toBe(0);
    let s = await h().state('fx');
    expect(s.lease).toEqual({ f: freshToken });
    expect(Object.keys(s.active)).toEqual(['f']);
    expect(s.completed).toEqual({});
    expect(s.failed).toEqual({});
    expect(s.info.f).toEqual({ stalls: 1, totalStalls: 1 });

    // The holder of the fresh token completes it: once.
    const done = await cmd.complete(
      [{ id: 'f', token: freshToken, result: '"fresh"' }],
      KEEP,
      0,
      1000,
      'x',
    );
    expect(done.stale).toEqual([]);
    expect(
      (await cmd.complete([{ id: 'f', token: freshToken, result: '"again"' }], KEEP, 0, 1000, 'x'))
        .stale,
    ).toEqual(['f']);
    s = await h().state('fx');
    expect(Object.keys(s.completed)).toEqual(['f']);
    expect(s.results).toEqual({ f: '"fresh"' });
    expect(s.meta.completed).toBe('1');
  });

  it('a hung worker process resumes after its job was completed elsewhere: its ack is rejected', async () => {
    const q = h().queue('fx');
    const a = await WorkerProcess.start({
      url: redisUrl(),
      prefix: h().prefix,
      queue: 'fx',
      label: 'A',
      mode: 'hold',
      options: { leaseMs: 300 },
    });
    await q.add('x', null, { id: 'job' });
    await a.next((m) => m.ev === 'active', 'A took the job');
    a.kill('SIGSTOP'); // hung: neither the handler nor the heartbeat runs

    const b = h().worker('fx', async () => ({ by: 'B' }), { stallCheckMs: 25 });
    const bCompleted = deferred<string>();
    b.on('completed', (job) => bCompleted.resolve(job.id));
    expect(await bCompleted.promise).toBe('job');

    // A wakes up and its handler finishes: its completion must not be recorded.
    a.send({ cmd: 'finish', id: 'job' });
    a.kill('SIGCONT');
    await a.next((m) => m.ev === 'lease-lost', 'A told its lease was lost');
    await a.close();
    expect(a.ids('lease-lost')).toEqual(['job']);
    expect(a.ids('completed')).toEqual([]);

    const s = await h().state('fx');
    expect(Object.keys(s.completed)).toEqual(['job']);
    expect(s.results).toEqual({ job: '{"by":"B"}' });
    expect(s.meta.completed).toBe('1');
    expect(s.active).toEqual({});
    expect(s.lease).toEqual({});
    expect(s.info.job).toEqual({ stalls: 1, totalStalls: 1 });
  });

  it('a worker that loses a lease mid-job aborts the handler, reports it once, records nothing', async () => {
    const q = h().queue('fx');
    const aborted = deferred<unknown>();
    const handlerDone = deferred();
    const w = h().worker(
      'fx',
      async (_job: Job, { signal }) => {
        signal.addEventListener('abort', () => aborted.resolve(signal.reason));
        await aborted.promise;
        await sleep(400); // keeps running past several heartbeats, then "succeeds"
        handlerDone.resolve();
        return 'late';
      },
      { leaseMs: 300, heartbeatMs: 50 },
    );
    const lost: string[] = [];
    const completed: string[] = [];
    w.on('lease-lost', (id) => lost.push(id));
    w.on('completed', (job) => completed.push(job.id));
    await q.add('x', null, { id: 'm' });
    await waitFor(async () => (await q.stats()).active === 1, 'job taken');
    // What a takeover leaves behind: the lease belongs to another (live) worker.
    const k = h().keys('fx');
    await h()
      .redis.multi()
      .zadd(k.active, (await h().now()) + 60_000, 'm')
      .hset(k.lease, 'm', 'another-worker:1:1')
      .exec();

    const reason = await aborted.promise;
    expect(reason).toBeInstanceOf(LeaseLostError);
    expect((reason as LeaseLostError).code).toBe('SLC_ERR_LEASE_LOST');
    await handlerDone.promise;
    await sleep(100);
    expect(lost).toEqual(['m']);
    expect(completed).toEqual([]);
    const s = await h().state('fx');
    expect(s.completed).toEqual({});
    expect(s.lease).toEqual({ m: 'another-worker:1:1' });
    expect(s.meta.completed).toBeUndefined();
    // Its slot is free again once the handler returned.
    expect(w.running).toBe(0);
  });
});
