/**
 * Outbox bench: outbox → queue throughput (rows committed in PostgreSQL, then relayed to Redis
 * by one or two relays) and commit → handler-start latency p50/p99 at a steady rate (one row per
 * transaction; the clock starts when COMMIT returns, stops when a Worker's handler starts the
 * job). Real PostgreSQL (fsync on, as in production) and redis-server, each started here.
 *
 * `npx tsx bench/outbox.ts [--quick]`
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Queue, Worker } from '../src/index.js';
import { Outbox, Relay, migrate } from '../src/outbox/index.js';
import { PostgresServer } from '../test/harness/postgres.js';
import { RedisServer } from '../test/harness/redis-server.js';

const quick = process.argv.includes('--quick');
const N = quick ? 4000 : 40_000;
const LAT_N = quick ? 500 : 3000;
const RATE = 200; // transactions per second for the latency run
const outbox = new Outbox();

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function fill(pool: pg.Pool, queues: number, n: number): Promise<void> {
  const c = await pool.connect();
  try {
    for (let i = 0; i < n; i += 100) {
      await c.query('BEGIN');
      for (let j = i; j < Math.min(n, i + 100); j++)
        await outbox.add(c, `q${j % queues}`, 'bench', { i: j, pad: 'x'.repeat(80) });
      await c.query('COMMIT');
    }
  } finally {
    c.release();
  }
}

async function throughput(pool: pg.Pool, redisUrl: string, relays: number, queues: number) {
  const prefix = `b${relays}x${queues}`;
  await fill(pool, queues, N);
  const rs = Array.from(
    { length: relays },
    () => new Relay({ pool, connection: redisUrl, prefix, batchSize: 500 }),
  );
  const t0 = performance.now();
  for (const r of rs) r.start();
  for (;;) {
    const { rows } = await pool.query('SELECT 1 FROM sluice.outbox LIMIT 1');
    if (rows.length === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  const delivered = rs.reduce((n, r) => n + r.stats.delivered, 0);
  await Promise.all(rs.map((r) => r.stop()));
  return { relays, queues, rows: delivered, ms, perSec: (delivered / ms) * 1000 };
}

async function latency(pool: pg.Pool, redisUrl: string) {
  const prefix = 'blat';
  const committed = new Map<number, number>();
  const started = new Map<number, number>();
  const worker = new Worker<{ i: number }>(
    'lat',
    async (job) => {
      // Kept by index: a handler may start before the committing call's continuation runs.
      started.set(job.data.i, performance.now());
    },
    { connection: redisUrl, prefix, concurrency: 50 },
  );
  const relay = new Relay({ pool, connection: redisUrl, prefix, pollMs: 1000 });
  relay.start();
  const c = await pool.connect();
  const start = performance.now();
  for (let i = 0; i < LAT_N; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await c.query('BEGIN');
    await outbox.add(c, 'lat', 'bench', { i });
    await c.query('COMMIT');
    committed.set(i, performance.now());
  }
  c.release();
  const deadline = Date.now() + 30_000;
  while (started.size < LAT_N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await relay.stop();
  await worker.close();
  const lat = [...started].map(([i, t]) => Math.max(0, t - committed.get(i)!));
  return { n: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(...lat) };
}

async function main() {
  const redis = await RedisServer.start({ persistence: 'none' });
  const pgServer = await PostgresServer.start({ durable: true });
  const pool = new pg.Pool({ connectionString: pgServer.url(), max: 10 });
  try {
    await migrate(pool);
    const q = new Queue('q0', { connection: redis.url });
    await q.close();
    const runs = [await throughput(pool, redis.url, 1, 1), await throughput(pool, redis.url, 1, 8)];
    runs.push(await throughput(pool, redis.url, 2, 8));
    const lat = await latency(pool, redis.url);
    const out = [
      `### Outbox → queue throughput (${N} rows committed 100 per transaction, then relayed; batch 500)`,
      '',
      '| Relays | Queues | Rows | Time (ms) | Rows/s |',
      '| -----: | -----: | ---: | --------: | -----: |',
      ...runs.map(
        (r) =>
          `| ${r.relays} | ${r.queues} | ${r.rows} | ${r.ms.toFixed(0)} | ${r.perSec.toFixed(0)} |`,
      ),
      '',
      `### Commit → handler start, one row per transaction at ${RATE} tx/s (${lat.n} jobs; LISTEN/NOTIFY wake-up, poll 1 s)`,
      '',
      '| p50 (ms) | p99 (ms) | max (ms) |',
      '| -------: | -------: | -------: |',
      `| ${lat.p50.toFixed(2)} | ${lat.p99.toFixed(2)} | ${lat.max.toFixed(2)} |`,
    ];
    console.log(out.join('\n'));
  } finally {
    await pool.end();
    await pgServer.stop();
    await redis.stop();
  }
}

await main();
