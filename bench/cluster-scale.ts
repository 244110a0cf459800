/**
 * Cluster scale bench: drain throughput of one plain queue and of one partitioned queue on a
 * local 1-, 2- and 3-master Redis Cluster (test/harness/cluster.ts), with the CPU each
 * redis-server spent (INFO cpu deltas, user + sys). Each run pre-fills the queue with addBulk,
 * then times one Worker (no-op handler) draining it; Redis CPU per job is the per-shard cost the
 * formula in docs/operations.md#partitions uses.
 *
 * `npx tsx bench/cluster-scale.ts [--jobs 8000] [--partitions 6] [--concurrency 100]`
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { Queue, Worker } from '../src/index.js';
import { RedisClusterFixture } from '../test/harness/cluster-fixture.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const JOBS = arg('jobs', 8000);
const PARTITIONS = arg('partitions', 6);
const CONCURRENCY = arg('concurrency', 100);

async function cpuSeconds(ports: number[]): Promise<number[]> {
  return Promise.all(
    ports.map(async (port) => {
      const c = new Redis(port, '127.0.0.1');
      try {
        const info = await c.info('cpu');
        const v = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
        return v('used_cpu_user') + v('used_cpu_sys');
      } finally {
        c.disconnect();
      }
    }),
  );
}

interface Row {
  masters: number;
  mode: string;
  jobsPerS: number;
  cpuMs: number[];
  cpuUsPerJob: number;
}

async function drain(fx: RedisClusterFixture, masters: number, partitions: number): Promise<Row> {
  const connection = { cluster: fx.startupNodes };
  const name = `scale-${partitions}-${Date.now()}`;
  const q = new Queue(name, { connection, partitions });
  for (let i = 0; i < JOBS; i += 1000)
    await q.addBulk(
      Array.from({ length: Math.min(1000, JOBS - i) }, (_, k) => ({ name: 'j', data: i + k })),
    );
  const ports = fx.nodes.map((n) => n.port);
  const before = await cpuSeconds(ports);
  const t0 = performance.now();
  let done = 0;
  let finish: () => void = () => {};
  const all = new Promise<void>((r) => (finish = r));
  const w = new Worker(name, () => undefined, {
    connection,
    partitions,
    concurrency: CONCURRENCY,
    keepCompleted: { count: 0 },
  });
  w.on('completed', () => {
    if (++done === JOBS) finish();
  });
  await all;
  const ms = performance.now() - t0;
  const after = await cpuSeconds(ports);
  await w.close();
  await q.close();
  const cpuMs = after.map((a, i) => Math.round((a - before[i]!) * 1000));
  const total = cpuMs.reduce((a, b) => a + b, 0);
  return {
    masters,
    mode: partitions > 1 ? `partitioned (${partitions})` : 'plain',
    jobsPerS: Math.round((JOBS / ms) * 1000),
    cpuMs,
    cpuUsPerJob: Math.round((total * 1000) / JOBS),
  };
}

const rows: Row[] = [];
for (const masters of [1, 2, 3]) {
  const fx = await RedisClusterFixture.start(masters);
  try {
    rows.push(await drain(fx, masters, 1));
    rows.push(await drain(fx, masters, PARTITIONS));
  } finally {
    await fx.stop();
  }
}
console.log(`jobs ${JOBS}, worker concurrency ${CONCURRENCY}, one Node process\n`);
console.log('| Masters | Queue | Jobs/s | Redis CPU per server (ms) | Redis CPU per job (µs) |');
console.log('| ------: | ----- | -----: | ------------------------- | ---------------------: |');
for (const r of rows)
  console.log(
    `| ${r.masters} | ${r.mode} | ${r.jobsPerS} | ${r.cpuMs.join(' / ')} | ${r.cpuUsPerJob} |`,
  );
process.exit(0);
