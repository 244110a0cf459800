/**
 * Timeouts, cancellation, progress and logs cost nothing to a job that does not use them: the
 * Redis work of draining no-op jobs (INFO commandstats on a server of this file's own, commands
 * run inside scripts included) is the same per job as before those features existed.
 */
import { expect, it } from 'vitest';
import { usePrivateRedis } from '../harness/private-redis.js';
import { useHarness } from './helpers.js';

const priv = usePrivateRedis();
const h = useHarness(() => priv.server.url);

/** Commands (by name) Redis ran while one worker drained `n` no-op jobs, start to close. */
async function drain(
  queue: string,
  n: number,
  keepCompleted: { count: number } | false,
): Promise<Record<string, number>> {
  const q = h().queue(queue);
  await q.addBulk(Array.from({ length: n }, (_, i) => ({ data: { i, pad: 'x'.repeat(80) } })));
  await priv.raw.config('RESETSTAT');
  // One job at a time (no prefetch: one call per job), and no timer fires during the drain: the
  // work is the same on every run.
  const w = h().worker(queue, () => {}, {
    concurrency: 1,
    prefetch: 0,
    leaseMs: 3_600_000,
    stallCheckMs: 3_600_000,
    retentionCheckMs: 3_600_000,
    flowRelayMs: 3_600_000, // periodic, not per job: kept out of the count
    schedules: false,
    keepCompleted,
  });
  await new Promise<void>((resolve) => w.once('drained', resolve));
  await w.close();
  const calls = await priv.commandCalls();
  delete calls.info;
  delete calls.config;
  return calls;
}

/**
 * Commands per job: the difference of two drains, so one-time work (connecting) cancels out, after
 * a first drain that loads the scripts.
 */
async function perJob(keep: { count: number } | false): Promise<Record<string, number>> {
  const tag = keep ? 'keep' : 'drop';
  // The per-minute counters drop their stale fields once, when a new minute's counter begins
  // (one HDEL a minute, not per job): all three drains run inside one minute, or a large drain
  // that crossed the edge would read as 1.001 HDEL per job.
  const [sec] = await priv.raw.time();
  const left = 60 - (Number(sec) % 60);
  if (left < 15) await new Promise((r) => setTimeout(r, left * 1000 + 500));
  await drain(`${tag}-warm`, 10, keep); // loads every script the drains call (one EVAL each)
  const small = await drain(`${tag}-small`, 200, keep);
  const large = await drain(`${tag}-large`, 1200, keep);
  const out: Record<string, number> = {};
  for (const [cmd, calls] of Object.entries(large)) {
    const d = (calls - (small[cmd] ?? 0)) / 1000;
    if (d !== 0) out[cmd] = d;
  }
  return out;
}

// Measured with this file on the code before timeouts, cancel, progress and logs (64c3c16):
// one script call per job, and these commands inside it. Issue 14 then took four out of every
// job's call (26 → 22): one HMGET of `meta` serves the ack and the fetch, the two stale metrics
// fields go in one HDEL, `delayed` is read once (its head: promote only when due), and the
// chain wake-up reads the pending marker first (a busy queue has one: no LLEN of `wait`).
const SAME: Record<string, number> = {
  fcall: 1, // (an EVALSHA before scripts ran as Redis Functions)
  time: 1,
  hmget: 3,
  hincrby: 3,
  hset: 1,
  llen: 1,
  rpop: 1,
  zcard: 2,
  zrange: 1,
  zrem: 1,
};

// Since then, per job (one ack per call here): the stale metrics fields are deleted only when a
// counter begins (once a minute, not every call: hdel −1), and a deleted job's indexes are
// probed with one EXISTS of `info`, `dedup` and `entity` instead of HLEN, ZCARD and HLEN (−2).
it('draining no-op jobs (completed kept) costs the same commands per job as before', async () => {
  expect(await perJob({ count: 100_000 })).toEqual({
    ...SAME,
    hdel: 1,
    hlen: 1,
    zadd: 2,
    zrangebyscore: 1,
  });
}, 60_000); // it may first wait out a minute's edge

it('draining no-op jobs (completed deleted at once) costs the same commands per job as before', async () => {
  expect(await perJob(false)).toEqual({
    ...SAME,
    hdel: 2,
    hlen: 1,
    zcard: 1,
    exists: 1,
    zadd: 1,
  });
}, 60_000);
