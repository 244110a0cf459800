/**
 * Delayed-job lateness the way issue #14 asks for it: the consumer's worker RUNS and sits idle
 * for `--idle` seconds first (the bench's `delayed` scenario starts both sides at once), and
 * either side connects first. Same agents, payload and lateness as that scenario (10,000 jobs,
 * delays uniform in 0–2,000 ms, consumer at c=10, CLOCK_MONOTONIC in both processes); the
 * contenders and the connect orders take turns within each repetition.
 *
 *   npx tsx bench/tools/delayed-idle.ts [--idle 60] [--reps 3] [--contenders sluice,bee-queue]
 *     [--first consumer,producer] [--jobs 10000]
 *
 * Prints one line per run and a table of median (min–max) p50/p99/max lateness, ms.
 */
import { Redis } from 'ioredis';
import { Agent } from '../lib/agents.js';
import { percentile, spread } from '../lib/stats.js';
import type { AgentTask } from '../lib/protocol.js';
import type { ContenderName } from '../contenders/types.js';
import { RedisServer } from '../../test/harness/redis-server.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const IDLE_MS = Number(arg('idle', '60')) * 1000;
const REPS = Number(arg('reps', '3'));
const JOBS = Number(arg('jobs', '10000'));
const CONTENDERS = arg('contenders', 'sluice,bee-queue').split(',') as ContenderName[];
const FIRST = arg('first', 'consumer,producer').split(',') as ('consumer' | 'producer')[];
const QUEUE = 'bench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(url: string, contender: ContenderName, first: 'consumer' | 'producer') {
  const consume = (): AgentTask => ({
    kind: 'consume',
    contender,
    url,
    queue: QUEUE,
    n: JOBS,
    concurrency: 10,
    keep: false,
    delayed: true,
    timed: true,
    warmup: 0,
  });
  const produce = (): AgentTask => ({
    kind: 'produce-delayed',
    contender,
    url,
    queue: QUEUE,
    n: JOBS,
    maxDelayMs: 2000,
  });
  // The first side is connected (ready) before the second one starts connecting.
  const a = new Agent(first === 'consumer' ? consume() : produce());
  await a.ready;
  const b = new Agent(first === 'consumer' ? produce() : consume());
  await b.ready;
  const [consumer, producer] = first === 'consumer' ? [a, b] : [b, a];
  consumer.go(); // the worker runs, idle: nothing is queued yet
  await sleep(IDLE_MS);
  producer.go();
  const result = await consumer.result;
  await producer.result;
  await Promise.all([consumer.stop(), producer.stop()]);
  const s = result.samples ?? [];
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: percentile(s, 100) };
}

const server = await RedisServer.start({ persistence: 'none' });
const admin = new Redis(server.url);
const rows = new Map<string, { p50: number[]; p99: number[]; max: number[] }>();
try {
  for (let rep = 1; rep <= REPS; rep++)
    for (const contender of CONTENDERS)
      for (const first of FIRST) {
        await admin.flushall('SYNC');
        await admin.script('FLUSH', 'SYNC');
        const m = await run(server.url, contender, first);
        const key = `${contender}, ${first} first`;
        const row = rows.get(key) ?? { p50: [], p99: [], max: [] };
        row.p50.push(m.p50);
        row.p99.push(m.p99);
        row.max.push(m.max);
        rows.set(key, row);
        console.log(
          `${key} #${rep}: p50=${m.p50.toFixed(2)} p99=${m.p99.toFixed(2)} max=${m.max.toFixed(2)}`,
        );
      }
} finally {
  admin.disconnect();
  await server.stop();
}
const cell = (v: number[]) => {
  const s = spread(v);
  return `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
};
console.log(
  `\nWorker idle ${IDLE_MS / 1000} s first; ${REPS} rep(s); lateness ms, median (min–max)\n`,
);
console.log('| Run | p50 | p99 | max |\n| --- | --- | --- | --- |');
for (const [key, r] of rows)
  console.log(`| ${key} | ${cell(r.p50)} | ${cell(r.p99)} | ${cell(r.max)} |`);
process.exit(0);
