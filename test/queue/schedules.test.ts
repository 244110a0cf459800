/**
 * Schedulers: upsert / list / remove, the pending tick as a delayed job with a deterministic id,
 * the compare-and-set advance (by Redis's clock), the catch-up policy, and time zones.
 */
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { CommandConnection, toConnectionRetry } from '../../src/redis/command-connection.js';
import { ScheduleCommands } from '../../src/queue/schedules/schedule-commands.js';
import { nextTick } from '../../src/queue/schedules/schedule-spec.js';
import { scheduleChannel } from '../../src/redis/keys.js';
import { waitFor } from '../harness/context.js';
import { caught, expectOptionProblems, sleep, useHarness, type Harness } from './helpers.js';

const harness = useHarness();

function scheduler(
  h: Harness,
  queue: string,
  opts: { nowOffsetMs?: number; missedAfterMs?: number } = { missedAfterMs: 150 },
): Scheduler {
  const s = new Scheduler(queue, { connection: h.connection, prefix: h.prefix, ...opts });
  return s;
}

async function tickJobs(h: Harness, queue: string, key: string): Promise<number[]> {
  const ids = await h.redis.hkeys(h.keys(queue).jobs);
  return ids
    .filter((id) => id.startsWith(`sched:${key}:`))
    .map((id) => Number(id.slice(`sched:${key}:`.length)))
    .sort((a, b) => a - b);
}

describe('tick arithmetic (croner, no waiting)', () => {
  it('puts a cron in its time zone, across a DST boundary', () => {
    const ny = { cron: '30 2 * * *', tz: 'America/New_York' };
    const utc = { cron: '30 2 * * *', tz: 'UTC' };
    const jan = Date.UTC(2026, 0, 10, 12);
    expect(new Date(nextTick(utc, jan)).toISOString()).toBe('2026-01-11T02:30:00.000Z');
    expect(new Date(nextTick(ny, jan)).toISOString()).toBe('2026-01-11T07:30:00.000Z'); // EST
    // 2026-03-08: 02:30 does not exist in New York (clocks jump 02:00 → 03:00).
    const eve = Date.UTC(2026, 2, 7, 12);
    const skipped = nextTick(ny, eve);
    expect(new Date(skipped).toISOString()).toBe('2026-03-08T07:00:00.000Z'); // 03:00 EDT
    expect(new Date(nextTick(ny, skipped)).toISOString()).toBe('2026-03-09T06:30:00.000Z'); // EDT
    // The fall-back day (2026-11-01) has 02:30 once, in EST.
    expect(new Date(nextTick(ny, Date.UTC(2026, 9, 31, 12))).toISOString()).toBe(
      '2026-11-01T07:30:00.000Z',
    );
  });

  it('ticks intervals on multiples of everyMs, strictly after the given time', () => {
    expect(nextTick({ everyMs: 100 }, 1050)).toBe(1100);
    expect(nextTick({ everyMs: 100 }, 1100)).toBe(1200);
    expect(nextTick({ cron: '*/5 * * * * *' }, Date.UTC(2026, 0, 1, 0, 0, 5))).toBe(
      Date.UTC(2026, 0, 1, 0, 0, 10),
    );
  });
});

describe('queue.schedule / schedules / unschedule', () => {
  it('adds the first tick as a delayed job with a deterministic id; the same spec changes nothing', async () => {
    const h = harness();
    const q = h.queue('sq');
    const now = await h.now();
    const s = await q.schedule('report', { everyMs: 60_000, data: { n: 1 } });
    expect(s.changed).toBe(true);
    expect(s.next).toBe(nextTick({ everyMs: 60_000 }, now));
    const state = await h.state('sq');
    expect(state.delayed).toEqual({ [`sched:report:${s.next}`]: s.next });
    const job = await q.getJob(`sched:report:${s.next}`);
    expect(job?.name).toBe('report');
    expect(job?.data).toEqual({ n: 1 });

    const again = await q.schedule('report', { everyMs: 60_000, data: { n: 1 } });
    expect(again).toMatchObject({ changed: false, next: s.next });
    expect(Object.keys((await h.state('sq')).delayed)).toHaveLength(1);
    expect(await q.schedules()).toEqual([
      {
        key: 'report',
        everyMs: 60_000,
        name: 'report',
        data: { n: 1 },
        catchUp: 'one',
        next: s.next,
      },
    ]);
  });

  it('upsert replaces the spec and its pending job; unschedule removes both', async () => {
    const h = harness();
    const q = h.queue('sq');
    const first = await q.schedule('r', { everyMs: 60_000 });
    const changed = await q.schedule('r', {
      cron: '0 3 * * *',
      tz: 'Europe/Paris',
      name: 'nightly',
      opts: { priority: 'high' },
    });
    expect(changed.changed).toBe(true);
    const state = await h.state('sq');
    expect(state.delayed).toEqual({ [`sched:r:${changed.next}`]: changed.next });
    expect(state.jobs).toEqual([`sched:r:${changed.next}`]);
    expect(new Date(changed.next).getUTCHours()).toBeGreaterThanOrEqual(1); // 03:00 Paris
    expect(first.next).not.toBe(changed.next);
    const [listed] = await q.schedules();
    expect(listed).toMatchObject({
      key: 'r',
      cron: '0 3 * * *',
      tz: 'Europe/Paris',
      name: 'nightly',
    });

    expect(await q.unschedule('r')).toBe(true);
    expect(await q.unschedule('r')).toBe(false);
    expect(await q.schedules()).toEqual([]);
    const after = await h.state('sq');
    expect(after.delayed).toEqual({});
    expect(after.jobs).toEqual([]);
    expect(await h.redis.exists(h.keys('sq').sched, h.keys('sq').schednext)).toBe(0);
  });

  it('rejects a bad schedule with one error listing every problem', async () => {
    const q = harness().queue('sq');
    const err = await caught(() => q.schedule('bad name!', { everyMs: 100 }));
    expect(err.code).toBe('SLC_ERR_INVALID_OPTIONS');
    const e2 = (await caught(() =>
      q.schedule('x', {
        cron: 'not a cron',
        everyMs: 5,
        catchUp: 'all' as 'one',
        opts: { id: 'x' } as never,
      }),
    )) as Error & { code?: string; problems?: string[] };
    expect(e2.code).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(e2.message).toMatch(/unknown option opts.id/);
    expect(e2.message).toMatch(/give cron or everyMs/);
    expect(e2.message).toMatch(/everyMs must be an integer/);
    expect(e2.message).toMatch(/catchUp must be one \| none/);
    // an unknown zone: refused up front (it passed, then threw croner's TypeError)
    expect(
      await caught(() => q.schedule('tz', { cron: '* * * * *', tz: 'Mars/Base' })),
    ).toMatchObject({
      code: 'SLC_ERR_INVALID_OPTIONS',
      message: expect.stringContaining('Mars/Base'),
    });
    expect(
      (await caught(() => q.schedule('far', { everyMs: 1e300 }))) as Error & { code?: string },
    ).toMatchObject({
      code: 'SLC_ERR_INVALID_OPTIONS',
      message: expect.stringContaining('10 years'),
    });
    expect(await q.schedules()).toEqual([]);
  });
});

describe('advance (compare-and-set by Redis clock)', () => {
  function commands(
    h: Harness,
    queue: string,
  ): { cmds: ScheduleCommands; close: () => Promise<void> } {
    const conn = new CommandConnection(h.connection, undefined, toConnectionRetry(undefined, 'x'));
    return {
      cmds: new ScheduleCommands(conn, h.keys(queue), h.prefix, queue),
      close: () => conn.close(),
    };
  }

  it('lets exactly one of two callers from the same tick advance; refuses an early one', async () => {
    const h = harness();
    const EVERY = 1000;
    const q = h.queue('sq');
    const { cmds, close } = commands(h, 'sq');
    try {
      const s = await q.schedule('t', { everyMs: EVERY });
      const [row] = await cmds.list();
      const after = s.next + EVERY;
      const now = await h.now();
      // far enough from the tick that it cannot pass while the call is on its way (a loaded
      // machine took more than a 50 ms period: the call found the tick due and advanced)
      if (now < s.next - 300) {
        const early = await cmds.advance(row!, after, now, nextTick({ everyMs: EVERY }, now), 5000);
        expect(early.kind).toBe('early');
      }
      await waitFor(async () => (await h.now()) >= s.next, 'the tick');
      const ref = await h.now();
      const refNext = nextTick({ everyMs: EVERY }, ref);
      const [a, b] = await Promise.all([
        cmds.advance(row!, after, ref, refNext, 5000),
        cmds.advance(row!, after, ref, refNext, 5000),
      ]);
      expect([a.kind, b.kind].filter((k) => k === 'lost')).toHaveLength(1);
      expect(await tickJobs(h, 'sq', 't')).toHaveLength(2);
    } finally {
      await close();
    }
  });

  it('asks for a recompute when the caller clock does not bracket Redis now', async () => {
    const h = harness();
    const q = h.queue('sq');
    const { cmds, close } = commands(h, 'sq');
    try {
      const s = await q.schedule('t', { everyMs: 20 });
      const [row] = await cmds.list();
      await waitFor(async () => (await h.now()) > s.next + 60, 'three ticks missed');
      const wrong = s.next + 5000; // a clock 5 s ahead
      const r = await cmds.advance(row!, s.next + 20, wrong, nextTick({ everyMs: 20 }, wrong), 0);
      expect(r.kind).toBe('recompute');
      expect(await tickJobs(h, 'sq', 't')).toEqual([s.next]);
    } finally {
      await close();
    }
  });
});

describe('Scheduler', () => {
  it('checks its options: names, types, bounds', async () => {
    const bad: [unknown, RegExp][] = [
      [null, /must be an object/],
      [{ refreshMS: 50 }, /unknown option refreshMS/],
      [{ refreshMs: 0 }, /^refreshMs must be an integer from 1/],
      [{ missedAfterMs: -1 }, /^missedAfterMs/],
      [{ onError: 1 }, /^onError must be a function/],
      [{ nowOffsetMs: NaN }, /^nowOffsetMs/],
      [{ connectionRetry: { attempts: 0 } }, /^connectionRetry\.attempts/],
    ];
    await expectOptionProblems((o) => new Scheduler('sq', o as never), bad);
  });

  it('a worker runs one job per tick, and unschedule stops it', async () => {
    const h = harness();
    const q = h.queue('sq');
    const seen: string[] = [];
    h.worker('sq', async (job) => void seen.push(job.id));
    const channel = scheduleChannel(h.prefix, 'sq');
    await waitFor(async () => {
      const [, subscribers] = (await h.redis.pubsub('NUMSUB', channel)) as [string, number];
      return subscribers > 0;
    }, "the worker's scheduler subscribed");
    await q.schedule('beat', { everyMs: 100 });
    await waitFor(() => seen.length >= 5, 'five ticks', 5000);
    expect(await q.unschedule('beat')).toBe(true);
    const count = seen.length;
    await sleep(600); // six more ticks, were it still running
    expect(seen.length).toBeLessThanOrEqual(count + 2); // ticks already due may still run
    const ticks = seen.map((id) => Number(id.split(':')[2]));
    expect(new Set(ticks).size).toBe(ticks.length);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]! - ticks[i - 1]!).toBe(100);
  });

  it('a scheduler that lags (less than missedAfterMs) still adds every late tick, in turn', async () => {
    const h = harness();
    const q = h.queue('sq');
    const s = await q.schedule('c', { everyMs: 100 });
    await waitFor(async () => (await h.now()) > s.next + 450, 'a scheduler 450 ms late');
    const sch = scheduler(h, 'sq', { missedAfterMs: 5000 });
    await sch.start();
    await waitFor(async () => (await tickJobs(h, 'sq', 'c')).length >= 7, 'the late ticks');
    await sch.close();
    const ticks = await tickJobs(h, 'sq', 'c');
    for (let i = 0; i < ticks.length; i++) expect(ticks[i]).toBe(s.next + 100 * i);
  });

  it("catch-up 'one': after downtime the pending tick fires once and the missed ones are skipped", async () => {
    const h = harness();
    const q = h.queue('sq');
    const s = await q.schedule('c', { everyMs: 100 });
    await waitFor(async () => (await h.now()) > s.next + 350, 'ticks missed while nothing ran');
    const sch = scheduler(h, 'sq');
    await sch.start();
    await sch.close();
    const ticks = await tickJobs(h, 'sq', 'c');
    // the pending tick (never ran: it is the one), then the next tick after now
    expect(ticks).toHaveLength(2);
    expect(ticks[0]).toBe(s.next);
    expect(ticks[1]! - s.next).toBeGreaterThanOrEqual(400);
  });

  it("catch-up 'one' adds a job for the first missed tick when the pending one already ran", async () => {
    const h = harness();
    const q = h.queue('sq');
    const ran: string[] = [];
    const w = h.worker('sq', async (job) => void ran.push(job.id), { schedules: false });
    const s = await q.schedule('c', { everyMs: 100 });
    await waitFor(() => ran.length === 1, 'the pending tick ran');
    await waitFor(async () => (await h.now()) > s.next + 250, 'ticks missed');
    const sch = scheduler(h, 'sq');
    await sch.start();
    await waitFor(() => ran.length >= 2, 'the catch-up job');
    await sch.close();
    await w.close();
    expect(ran[1]).toBe(`sched:c:${s.next + 100}`);
  });

  it("catch-up 'none': the missed pending tick is dropped", async () => {
    const h = harness();
    const q = h.queue('sq');
    const s = await q.schedule('c', { everyMs: 100, catchUp: 'none' });
    await waitFor(async () => (await h.now()) > s.next + 350, 'ticks missed');
    const sch = scheduler(h, 'sq');
    await sch.start();
    await sch.close();
    const ticks = await tickJobs(h, 'sq', 'c');
    expect(ticks).toHaveLength(1);
    expect(ticks[0]! - s.next).toBeGreaterThanOrEqual(400);
    expect(Object.keys((await h.state('sq')).delayed)).toEqual([`sched:c:${ticks[0]}`]);
  });
});
