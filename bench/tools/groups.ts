/**
 * Groups and rate limits, side by side in one run on a private redis-server (no persistence):
 *
 * - drain of `--jobs` no-op jobs at concurrency 100: without groups, and spread over 1,000
 *   groups (one at a time each, round-robin). BullMQ OSS has no groups (they are in its paid
 *   Pro edition), so that row is Sluice only.
 * - a queue rate limit of `--rate` jobs/s over `--limited` jobs: Sluice's `setLimits({
 *   rateLimit })` next to BullMQ's global `limiter`, both at concurrency 100.
 *
 * Reports jobs/s, Redis commands per job and Redis CPU µs per job (INFO deltas). In-process
 * workers (one Node process drives each contender in turn), so compare rows of one run only.
 *
 *   npx tsx bench/tools/groups.ts [--jobs 20000] [--limited 6000] [--rate 2000]
 */
import { Redis } from 'ioredis';
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
import { Queue, Worker } from '../../src/index.js';
import { RedisServer } from '../../test/harness/redis-server.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const JOBS = arg('jobs', 20_000);
const LIMITED = arg('limited', 6000);
const RATE = arg('rate', 2000);
const PAYLOAD = { s: 'x'.repeat(90) };

const server = await RedisServer.start({ persistence: 'none' });
const raw = new Redis(server.url);
const u = new URL(server.url);
const bullConn = { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null };

async function redisCounters(): Promise<{ cpuUs: number; commands: number }> {
  const cpu = await raw.info('cpu');
  const us = (f: string) => Number(new RegExp(`${f}:([\\d.]+)`).exec(cpu)![1]) * 1e6;
  const stats = await raw.info('commandstats');
  let commands = 0;
  for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    if (!['info', 'config|resetstat'].includes(m[1]!)) commands += Number(m[2]);
  return { cpuUs: us('used_cpu_sys') + us('used_cpu_user'), commands };
}

interface Row {
  name: string;
  jobsPerSec: number;
  commandsPerJob: number;
  redisUsPerJob: number;
}
const rows: Row[] = [];

async function measure(name: string, n: number, run: () => Promise<void>): Promise<void> {
  await raw.config('RESETSTAT');
  const before = await redisCounters();
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  const after = await redisCounters();
  rows.push({
    name,
    jobsPerSec: Math.round(n / (ms / 1000)),
    commandsPerJob: Number(((after.commands - 1) / n).toFixed(1)),
    redisUsPerJob: Number(((after.cpuUs - before.cpuUs) / n).toFixed(1)),
  });
  await raw.flushall();
}

async function sluiceDrain(
  queue: string,
  n: number,
  groups: number,
  limits?: Parameters<Queue['setLimits']>[0],
) {
  const q = new Queue(queue, { connection: server.url });
  if (limits) await q.setLimits(limits);
  for (let i = 0; i < n; i += 1000)
    await q.addBulk(
      Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
        data: PAYLOAD,
        opts: groups ? { group: `g${(i + j) % groups}` } : {},
      })),
    );
  await measure(`Sluice ${queue}`, n, async () => {
    let done = 0;
    await new Promise<void>((resolve) => {
      const w = new Worker(queue, async () => {}, {
        connection: server.url,
        concurrency: 100,
        keepCompleted: false,
      });
      w.on('completed', () => {
        if (++done === n) void w.close().then(resolve);
      });
    });
  });
  await q.close();
}

async function bullDrain(queue: string, n: number, limiter?: { max: number; duration: number }) {
  const q = new BullQueue(queue, { connection: bullConn });
  for (let i = 0; i < n; i += 1000)
    await q.addBulk(
      Array.from({ length: Math.min(1000, n - i) }, () => ({ name: 'j', data: PAYLOAD })),
    );
  await measure(`BullMQ ${queue}`, n, async () => {
    let done = 0;
    await new Promise<void>((resolve) => {
      const w = new BullWorker(queue, async () => {}, {
        connection: bullConn,
        concurrency: 100,
        removeOnComplete: { count: 0 },
        ...(limiter ? { limiter } : {}),
      });
      w.on('completed', () => {
        if (++done === n) void w.close().then(resolve);
      });
    });
  });
  await q.close();
}

try {
  await sluiceDrain('drain-plain', JOBS, 0);
  await sluiceDrain('drain-1000-groups', JOBS, 1000);
  await bullDrain('drain-plain', JOBS);
  await sluiceDrain('rate-limited', LIMITED, 0, { rateLimit: { max: RATE, durationMs: 1000 } });
  await bullDrain('rate-limited', LIMITED, { max: RATE, duration: 1000 });
  console.log(`| Run | jobs/s | Redis commands/job | Redis CPU µs/job |`);
  console.log(`| --- | --- | --- | --- |`);
  for (const r of rows)
    console.log(`| ${r.name} | ${r.jobsPerSec} | ${r.commandsPerJob} | ${r.redisUsPerJob} |`);
  console.log(`(groups: BullMQ OSS has none — Pro only; rate limit ${RATE} jobs/s)`);
} finally {
  raw.disconnect();
  await server.stop();
}
