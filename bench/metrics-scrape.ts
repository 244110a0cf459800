/**
 * Cost of one `/metrics` scrape with many queues: Redis calls and Redis time per scrape, from
 * `INFO commandstats` before and after, on a redis-server of its own. The server runs in this
 * process; each queue holds a few jobs; scrapes are spaced past the 1 s cache so each one reads
 * Redis.
 *
 *   npx tsx bench/metrics-scrape.ts [--queues 1000] [--scrapes 5]
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { createServer, resolveConfig } from '../src/server/index.js';
import { RedisServer } from '../test/harness/redis-server.js';
import { SCRIPT_CALL } from './lib/redis-cost.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const QUEUES = arg('queues', 1000);
const SCRAPES = arg('scrapes', 5);

type Stats = Map<string, { calls: number; usec: number }>;
async function commandStats(admin: Redis): Promise<Stats> {
  const out: Stats = new Map();
  for (const line of (await admin.info('commandstats')).split('\r\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (m) out.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return out;
}

const redis = await RedisServer.start();
const admin = new Redis(redis.url);
const config = resolveConfig({ port: 0, logLevel: 'silent' }, { REDIS_URL: redis.url });
const server = await createServer({ config });
const base = await server.listen();
try {
  for (let i = 0; i < QUEUES; i++) {
    const q = server.context.queues.get(`queue-${i}`);
    await q.addBulk([{ data: { i } }, { data: { i }, opts: { delay: 60_000 } }]);
  }
  await (await fetch(`${base}/metrics`)).text(); // warm: opens connections, loads the script
  const rows: string[] = [];
  let sumCalls = 0;
  let sumUsec = 0;
  let sumEval = 0;
  for (let s = 1; s <= SCRAPES; s++) {
    await new Promise((r) => setTimeout(r, 1100));
    const before = await commandStats(admin);
    const t0 = performance.now();
    const text = await (await fetch(`${base}/metrics`)).text();
    const wall = performance.now() - t0;
    const after = await commandStats(admin);
    let calls = 0;
    let usec = 0;
    for (const [cmd, a] of after) {
      if (cmd === 'info') continue; // the measuring INFO itself
      const b = before.get(cmd) ?? { calls: 0, usec: 0 };
      // a script call's usec already includes the commands it ran: count those calls only.
      calls += a.calls - b.calls;
      if (SCRIPT_CALL.test(cmd)) usec += a.usec - b.usec;
    }
    let evals = 0;
    for (const cmd of ['fcall', 'evalsha', 'eval'])
      evals += (after.get(cmd)?.calls ?? 0) - (before.get(cmd)?.calls ?? 0);
    sumCalls += calls;
    sumUsec += usec;
    sumEval += evals;
    rows.push(
      `| ${s} | ${evals} | ${calls} | ${usec.toLocaleString('en')} | ${(usec / QUEUES).toFixed(1)} | ${wall.toFixed(0)} | ${(text.length / 1024).toFixed(0)} |`,
    );
  }
  const clients = /connected_clients:(\d+)/.exec(await admin.info('clients'))?.[1];
  console.log(`### /metrics scrape cost, ${QUEUES} queues (\`npx tsx bench/metrics-scrape.ts\`)\n`);
  console.log(
    '| Scrape | Round trips (EVALSHA) | Redis calls incl. inside scripts | Redis µs (scripts) | Redis µs per queue | Wall ms | Text KiB |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  console.log(
    `\nMean per scrape: ${(sumEval / SCRAPES).toFixed(0)} round trips, ${(sumCalls / SCRAPES).toFixed(0)} Redis calls, ${(sumUsec / SCRAPES / 1000).toFixed(1)} ms of Redis time. Connections open to Redis: ${clients}.`,
  );
} finally {
  await server.close();
  admin.disconnect();
  await redis.stop();
}
