/**
 * Script loading the `EVAL` way (Redis 6.2, or functions turned off as here): a fresh server never
 * answers NOSCRIPT, because the first call of each script on a socket sends its source (a
 * NOSCRIPT's re-send would land the call's reply behind those of the commands sent after it:
 * fetch-loop-owed.test.ts has the worker survive that too). And after a `SCRIPT FLUSH`, calls go
 * on: the scripts are sent again. (The functions way: test/redis/functions.test.ts.)
 */
import { expect, it } from 'vitest';
import { usePrivateRedis } from '../harness/private-redis.js';
import { waitFor } from '../harness/context.js';
import { runAFewJobs, useHarness } from './helpers.js';

// Read on each connection's first script call; this file runs in a process of its own.
process.env.SLUICE_REDIS_FUNCTIONS = 'off';

const priv = usePrivateRedis();
const h = useHarness(() => priv.server.url);

async function calls(cmd: string): Promise<number> {
  const info = await priv.raw.info('commandstats');
  return Number(new RegExp(`^cmdstat_${cmd}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
}

async function noscriptReplies(): Promise<number> {
  const info = await priv.raw.info('errorstats');
  return Number(/^errorstat_NOSCRIPT:count=(\d+)/m.exec(info)?.[1] ?? 0);
}

it('a fresh server runs adds, fetches and acks with no NOSCRIPT reply', async () => {
  await priv.raw.script('FLUSH');
  await priv.raw.config('RESETSTAT');
  await runAFewJobs(h(), 'fresh');
  expect(await noscriptReplies()).toBe(0);
  expect(await calls('fcall')).toBe(0); // all of it the EVAL way
  expect(await calls('evalsha')).toBeGreaterThan(0);
});

it('after a SCRIPT FLUSH under a running worker and producer, jobs go on', async () => {
  const q = h().queue('flushed');
  const done: number[] = [];
  // An ack riding with the worker's wait, answered NOSCRIPT, goes again behind the BLPOP: it
  // lands when the wait ends (a job, or this safety-net timeout). Seen and accepted: only a
  // SCRIPT FLUSH on a live connection does it (a new connection sends every script in full).
  const w = h().worker<{ i: number }>('flushed', () => {}, { concurrency: 2, idleWakeMs: 200 });
  w.on('completed', (job) => done.push(job.data.i));
  await q.add('j', { i: 0 });
  await waitFor(() => done.length === 1, 'job 0 done');
  await priv.raw.script('FLUSH');
  await q.add('j', { i: 1 }); // the producer's socket had add_plain: NOSCRIPT, sent again
  await waitFor(() => done.length === 2, 'job 1 done');
  await q.addBulk([{ data: { i: 2 } }, { data: { i: 3 } }]);
  await waitFor(() => done.length === 4, 'jobs 2 and 3 done');
  expect(done.sort()).toEqual([0, 1, 2, 3]);
  expect(await noscriptReplies()).toBeGreaterThan(0); // the flush was felt, and got over
});
