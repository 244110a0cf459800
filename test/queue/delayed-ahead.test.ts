/**
 * Delayed jobs taken ahead of their due time (`delayedLeadMs`): a fetch with slots the waiting
 * jobs leave free takes the delayed jobs due within the lead, leased from their due time, and the
 * worker starts each handler at that time by Redis's clock, never before. The script tests use
 * leads far longer than the default 2 ms, so nothing here hangs on a ms.
 */
import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { waitFor } from '../harness/context.js';
import { caught, sleep, useHarness } from './helpers.js';
import { Worker } from '../../src/index.js';

const h = useHarness();
const NO_POLL = { idleWakeMs: 600_000 };
const LEASE = 30_000;

/** Redis's clock minus the local monotonic one (ms), from the quickest of a few `TIME`s. */
async function clockOffset(): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 8; i++) {
    const sent = performance.now();
    const [s, us] = (await h().redis.time()) as [number | string, number | string];
    const got = performance.now();
    const redisMs = Number(s) * 1000 + Number(us) / 1000;
    if (got - sent < best.rtt) best = { rtt: got - sent, offset: redisMs - (sent + got) / 2 };
  }
  return best.offset;
}

describe('delayed jobs taken ahead: the fetch script', () => {
  it('takes a job due within the lead into a free slot, leased from its due time', async () => {
    const q = h().queue('ahead');
    await q.add('x', null, { id: 'soon', delay: 5_000 });
    await q.add('x', null, { id: 'later', delay: 60_000 });
    const due = (await h().state('ahead')).delayed;
    // no lead: nothing is due, so nothing comes, and the next due time is the job's own
    const none = await h().commands('ahead').fetch(5, LEASE, 'w:1', 0);
    expect(none.jobs).toEqual([]);
    expect(none.nextDue).toBe(due.soon);

    const r = await h().commands('ahead').fetch(5, LEASE, 'w:2', 10_000);
    expect(r.jobs.map((j) => j.id)).toEqual(['soon']);
    expect(r.jobs[0]!.token).toBe(`w:2@${due.soon}`);
    // the next fetch is asked for half the lead before the next due time
    expect(r.nextDue).toBe(due.later! - 5_000);
    const s = await h().state('ahead');
    expect(Object.keys(s.delayed)).toEqual(['later']);
    expect(s.active).toEqual({ soon: due.soon! + LEASE });
    expect(s.lease.soon).toBe(`w:2@${due.soon}`);
    // its attempt starts at its due time: that is what a reader sees
    const job = await q.getJob('soon');
    expect(job?.state).toBe('active');
    expect(job?.processedOn).toBe(due.soon);
  });

  it('takes waiting jobs first, and only slots they leave free take delayed ones', async () => {
    const q = h().queue('ahead2');
    await q.add('x', null, { id: 'd', delay: 5_000 });
    await q.add('x', null, { id: 'w1' });
    await q.add('x', null, { id: 'w2' });
    const full = await h().commands('ahead2').fetch(2, LEASE, 'w:1', 10_000);
    expect(full.jobs.map((j) => j.id)).toEqual(['w1', 'w2']);
    // the queue was not left empty by a short take: the next due time is the job's own
    const due = (await h().state('ahead2')).delayed.d!;
    expect(full.nextDue).toBe(due);
    await q.add('x', null, { id: 'w3' });
    const more = await h().commands('ahead2').fetch(3, LEASE, 'w:2', 10_000);
    expect(more.jobs.map((j) => j.id)).toEqual(['w3', 'd']);
    expect(more.nextDue).toBe(-1);
  });

  it('takes jobs due at the same time in the order they were added, a tie cut at the slots', async () => {
    const q = h().queue('ahead3');
    // automatic ids: the sorted set keeps a tie in id order (`10` < `11` < `2`), not adding order
    const added = await q.addBulk(
      Array.from({ length: 12 }, () => ({ name: 'x', data: null, opts: { delay: 5_000 } })),
    );
    const ids = added.map((j) => j.id);
    const due = (await h().state('ahead3')).delayed;
    expect(new Set(Object.values(due)).size).toBe(1);
    const first = await h().commands('ahead3').fetch(3, LEASE, 'w:1', 10_000);
    expect(first.jobs.map((j) => j.id)).toEqual(ids.slice(0, 3));
    const rest = await h().commands('ahead3').fetch(20, LEASE, 'w:2', 10_000);
    expect(rest.jobs.map((j) => j.id)).toEqual(ids.slice(3));
  });

  it('takes jobs due at the same time by priority first, as they would be taken once waiting', async () => {
    const q = h().queue('ahead6');
    await q.addBulk([
      { name: 'x', data: null, opts: { id: 'low', delay: 5_000, priority: -1 } },
      { name: 'x', data: null, opts: { id: 'plain', delay: 5_000 } },
      { name: 'x', data: null, opts: { id: 'high', delay: 5_000, priority: 5 } },
    ]);
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await h().commands('ahead6').fetch(1, LEASE, `w:${i}`, 10_000);
      order.push(...r.jobs.map((j) => j.id));
    }
    expect(order).toEqual(['high', 'plain', 'low']);
  });

  it('a job given back before its due time returns to delayed at that time, not to waiting', async () => {
    const q = h().queue('ahead7');
    await q.add('x', null, { id: 'j', delay: 5_000 });
    const due = (await h().state('ahead7')).delayed.j!;
    const r = await h().commands('ahead7').fetch(1, LEASE, 'w:1', 10_000);
    expect(r.jobs.map((j) => j.id)).toEqual(['j']);
    const marker = h().keys('ahead7').marker;
    await h().redis.del(marker); // the add's own wake-up
    expect(
      await h()
        .commands('ahead7')
        .release([{ id: 'j', token: r.jobs[0]!.token }]),
    ).toBe(1);
    // idle workers re-arm for its time; none is told work waits (`w`)
    expect(await h().redis.lrange(marker, 0, -1)).toEqual(['1']);
    const s = await h().state('ahead7');
    expect(s.waiting).toEqual([]);
    expect(s.delayed).toEqual({ j: due });
    expect(s.active).toEqual({});
  });

  it('slots filled by jobs taken ahead while more are due: another idle worker is woken', async () => {
    const q = h().queue('ahead8');
    await q.addBulk([
      { name: 'x', data: null, opts: { id: 'a', delay: 5_000 } },
      { name: 'x', data: null, opts: { id: 'b', delay: 5_000 } },
    ]);
    const k = h().keys('ahead8');
    await h().redis.del(k.marker); // the adds' own wake-ups
    const r = await h().commands('ahead8').fetch(1, LEASE, 'w:1', 10_000);
    expect(r.jobs.map((j) => j.id)).toEqual(['a']);
    expect(await h().redis.lrange(k.marker, 0, -1)).toEqual(['1']);
    // one that took the last of them wakes no one
    await h().commands('ahead8').fetch(1, LEASE, 'w:2', 10_000);
    expect(await h().redis.lrange(k.marker, 0, -1)).toEqual(['1']);
  });

  it('under a rate limit, takes ahead only jobs due within the current window', async () => {
    const q = h().queue('ahead9');
    await q.setLimits({ rateLimit: { max: 5, durationMs: 1_000 } });
    await q.add('x', null, { id: 'far', delay: 5_000 });
    const r = await h().commands('ahead9').fetch(5, LEASE, 'w:1', 10_000);
    expect(r.jobs).toEqual([]);
    expect(Object.keys((await h().state('ahead9')).delayed)).toEqual(['far']);
    // and no early fetch (it would find the same job past the window, again and again)
    expect(r.nextDue).toBe((await h().state('ahead9')).delayed.far);
  });

  it('a queue with groups takes none ahead and is told the due time itself', async () => {
    const q = h().queue('ahead4');
    await q.add('x', null, { id: 'g', group: 'acct', delay: 5_000 });
    const due = (await h().state('ahead4')).delayed.g!;
    const r = await h().commands('ahead4').fetch(2, LEASE, 'w:1', 10_000);
    expect(r.jobs).toEqual([]);
    expect(r.nextDue).toBe(due);
  });

  it('jobs taken ahead count against the rate limit', async () => {
    const q = h().queue('ahead5');
    await q.setLimits({ rateLimit: { max: 2, durationMs: 60_000 } });
    for (const id of ['a', 'b', 'c']) await q.add('x', null, { id, delay: 5_000 });
    const r = await h().commands('ahead5').fetch(5, LEASE, 'w:1', 10_000);
    expect(r.jobs.map((j) => j.id)).toEqual(['a', 'b']);
    const again = await h().commands('ahead5').fetch(5, LEASE, 'w:2', 10_000);
    expect(again.jobs).toEqual([]);
  });
});

describe('delayed jobs taken ahead: the worker', () => {
  /** A worker with a long lead (300 ms), recording each handler's start on the local clock. */
  function leadWorker(queue: string, opts: object = {}) {
    const started = new Map<string, number>();
    const attempts = new Map<string, number | undefined>();
    const w = h().worker(
      queue,
      async (job) => {
        started.set(job.id, performance.now());
        attempts.set(job.id, job.processedOn);
      },
      { ...NO_POLL, delayedLeadMs: 300, ...opts },
    );
    return { w, started, attempts };
  }

  it('is active before its due time, and its handler starts at that time, not before', async () => {
    const q = h().queue('lead');
    const { started, attempts } = leadWorker('lead');
    await sleep(50); // idle, blocked
    await q.add('x', null, { id: 'j', delay: 800 });
    const due = (await h().state('lead')).delayed.j!;
    // the fetch for it was asked for 150 ms (half the lead) before its due time
    await waitFor(async () => (await h().now()) >= due - 100, 'a while before the due time');
    expect((await q.getJob('j'))?.state).toBe('active');
    expect(started.has('j')).toBe(false);
    await waitFor(() => started.has('j'), 'the handler');
    const offset = await clockOffset();
    // on Redis's clock (within the clock reading's own error, a fraction of a ms)
    expect(started.get('j')! + offset).toBeGreaterThanOrEqual(due - 0.5);
    expect(attempts.get('j')).toBe(due);
  });

  it('with delayedLeadMs 0 a job stays delayed until its due time', async () => {
    const q = h().queue('nolead');
    const { started } = leadWorker('nolead', { delayedLeadMs: 0 });
    await sleep(50);
    await q.add('x', null, { id: 'j', delay: 600 });
    const due = (await h().state('nolead')).delayed.j!;
    await waitFor(async () => (await h().now()) >= due - 100, 'a while before the due time');
    expect((await q.getJob('j'))?.state).toBe('delayed');
    await waitFor(() => started.has('j'), 'the handler');
  });

  /** A lead worker on `queue`, idle, and one job `j` (due in 800 ms) it has taken ahead. */
  async function takenAhead(queue: string) {
    const q = h().queue(queue);
    const { w, started } = leadWorker(queue);
    await sleep(50);
    await q.add('x', null, { id: 'j', delay: 800 });
    const due = (await h().state(queue)).delayed.j!;
    await waitFor(async () => (await q.getJob('j'))?.state === 'active', 'taken ahead');
    return { q, w, started, due };
  }

  it('a job cancelled while taken ahead never runs', async () => {
    const { q, started, due } = await takenAhead('leadcancel');
    expect(await h().now()).toBeLessThan(due);
    expect(await q.cancel('j')).toBe('cancelling');
    await waitFor(async () => (await q.getJob('j'))?.state === 'failed', 'cancelled');
    await waitFor(async () => (await h().now()) > due + 200, 'past its due time');
    expect(started.has('j')).toBe(false);
  });

  it('a close that times out before the due time gives the job back to delayed, for its time', async () => {
    const { w, started, due } = await takenAhead('leadclose0');
    await w.close(0);
    expect(started.has('j')).toBe(false);
    expect((await h().state('leadclose0')).delayed).toEqual({ j: due });
    const other = leadWorker('leadclose0');
    await waitFor(() => other.started.has('j'), 'run by another worker');
    expect(other.started.get('j')! + (await clockOffset())).toBeGreaterThanOrEqual(due - 0.5);
  });

  it('a worker closed while it holds a job taken ahead runs it at its due time, once', async () => {
    const { q, w, started, due } = await takenAhead('leadclose');
    await w.close();
    expect(started.has('j')).toBe(true);
    expect(started.get('j')! + (await clockOffset())).toBeGreaterThanOrEqual(due - 0.5);
    expect((await q.getJob('j'))?.state).toBe('completed');
    expect((await h().state('leadclose')).waiting).toEqual([]);
  });

  it('many delayed jobs at the default lead: each runs once, at or after its due time', async () => {
    const q = h().queue('leadmany');
    const runs = new Map<string, number>();
    const startedAt = new Map<string, { local: number; attempt: number }>();
    h().worker(
      'leadmany',
      async (job) => {
        const local = performance.now();
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        // the attempt's start: its due time for a job taken ahead, else its fetch
        startedAt.set(job.id, { local, attempt: job.processedOn! });
      },
      { ...NO_POLL, concurrency: 10 },
    );
    await sleep(50);
    const n = 300;
    for (let i = 0; i < n; i++)
      await q.add('x', null, { id: `j${i}`, delay: Math.floor(Math.random() * 300) });
    // no wait on the safety net (10 minutes here): every one was fetched on time
    await waitFor(() => runs.size === n, 'every job', 10_000);
    const offset = await clockOffset();
    let ahead = 0;
    for (const [id, count] of runs) {
      expect(count, id).toBe(1);
      const s = startedAt.get(id)!;
      expect(s.local + offset, id).toBeGreaterThanOrEqual(s.attempt - 0.5);
      if (s.attempt - (s.local + offset) > -0.5) ahead++;
    }
    expect(ahead).toBeGreaterThan(0);
  });

  it('due times a ms apart, added at once, all start on time (none waits for the safety net)', async () => {
    const q = h().queue('leaddense');
    const runs = new Set<string>();
    h().worker('leaddense', async (job) => void runs.add(job.id), { ...NO_POLL, concurrency: 20 });
    await sleep(50);
    // nothing is added after this: a fetch the worker failed to make is never made up for
    const n = 400;
    await q.addBulk(
      Array.from({ length: n }, (_, i) => ({
        name: 'x',
        data: null,
        opts: { id: `d${i}`, delay: 200 + Math.floor(i / 2) },
      })),
    );
    await waitFor(() => runs.size === n, 'every job', 10_000);
  });

  it('a lease lost while a job waits for its due time frees its slot', async () => {
    const q = h().queue('leadlost');
    const lost: string[] = [];
    const ran: string[] = [];
    const w = h().worker('leadlost', async (job) => void ran.push(job.id), {
      ...NO_POLL,
      delayedLeadMs: 1000,
      leaseMs: 600,
    });
    w.on('lease-lost', (id) => lost.push(id));
    await sleep(50);
    await q.add('x', null, { id: 'j', delay: 1500 });
    await waitFor(async () => (await q.getJob('j'))?.state === 'active', 'taken ahead');
    // another process took the lease over: the next renewal finds it gone
    await h().redis.hset(h().keys('leadlost').lease, 'j', 'someone-else@1');
    await waitFor(() => lost.includes('j'), 'lease-lost');
    await q.add('x', null, { id: 'k' });
    await waitFor(() => ran.includes('k'), 'the next job, in the freed slot');
  });

  it('refuses a lead that is not a whole number of ms in 0 – 1,000', async () => {
    for (const delayedLeadMs of [-1, 1001, 1.5, '2']) {
      const err = await caught(() => new Worker('x', async () => {}, { delayedLeadMs } as never));
      expect(err, String(delayedLeadMs)).toMatchObject({ code: 'SLC_ERR_INVALID_OPTIONS' });
    }
  });
});
