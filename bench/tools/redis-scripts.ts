/**
 * Where Redis time goes in a Sluice drain, per script: runs one drain on a private redis-server
 * with SLOWLOG recording every command, then groups the entries by script (EVALSHA's SHA mapped
 * back to the `.lua` file; FCALL's function likewise) — calls, jobs per call, µs per call and per job.
 *
 *   npx tsx bench/tools/redis-scripts.ts [--jobs 50000] [--concurrency 100] [--keep]
 *   npx tsx bench/tools/redis-scripts.ts --rate 1000 [--jobs 3000] [--concurrency 10]
 *
 * `--rate N`: no pre-filled queue; one add every 1/N s (a 1 ms timer, as the bench's latency
 * run) while the worker waits, so each job goes the light-load way (wake-up, ack, wait again)
 * and the adds count too. `SLUICE_REDIS_FUNCTIONS=off` in the environment: the scripts go the
 * `EVALSHA` way instead of as Redis Functions (to compare the two).
 */
import { Queue, Worker } from '../../src/index.js';
import { SCRIPT_CALL, scriptNames } from '../lib/redis-cost.js';
import { RedisServer } from '../../test/harness/redis-server.js';
import { makeJob } from '../lib/payload.js';
import { RedisAdmin } from '../lib/redis-admin.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const rate = arg('--rate', 0);
const jobs = arg('--jobs', rate ? 3000 : 50_000);
const concurrency = arg('--concurrency', rate ? 10 : 100);
const keep = process.argv.includes('--keep');

const names = scriptNames();

const server = await RedisServer.start({ persistence: 'none' });
const admin = new RedisAdmin(server.url, false);
try {
  const queue = new Queue('prof', { connection: server.url });
  if (!rate)
    for (let i = 0; i < jobs; i += 1000)
      await queue.addBulk(
        Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({ data: makeJob(i + j) })),
      );
  else await queue.add('warm-up', makeJob(-1)); // scripts loaded before the count starts
  const worker = new Worker('prof', async () => {}, {
    connection: server.url,
    concurrency,
    keepCompleted: keep ? { count: 1e9, ageMs: 0 } : false,
    autorun: false,
  });
  if (rate) {
    const warmedUp = new Promise((r) => worker.once('completed', r));
    worker.run();
    await warmedUp;
    await new Promise((r) => setTimeout(r, 500)); // idle: the worker waits on its marker
  }
  let done = 0;
  const drained = new Promise<void>((resolve) =>
    worker.on('completed', () => {
      if (++done === jobs) resolve();
    }),
  );
  await admin.client.config('SET', 'slowlog-log-slower-than', '0');
  await admin.client.config('SET', 'slowlog-max-len', String(jobs * 40));
  await admin.client.slowlog('RESET');
  const t0 = performance.now();
  if (rate) {
    let sent = 0;
    const timer = setInterval(() => {
      const due = Math.min(jobs, Math.floor(((performance.now() - t0) * rate) / 1000));
      for (; sent < due; sent++) void queue.add('j', makeJob(sent));
      if (sent >= jobs) clearInterval(timer);
    }, 1);
  } else worker.run();
  await drained;
  await admin.client.config('SET', 'slowlog-log-slower-than', '10000');
  await worker.close();
  const elapsed = performance.now() - t0;
  const entries = (await admin.client.slowlog('GET', -1)) as [number, number, number, string[]][];
  const by = new Map<string, { calls: number; us: number; max: number }>();
  for (const [, , us, args] of entries) {
    const cmd = args[0]!.toLowerCase();
    const key = SCRIPT_CALL.test(cmd) ? `script ${names.get(args[1]!) ?? args[1]}` : cmd;
    const s = by.get(key) ?? { calls: 0, us: 0, max: 0 };
    s.calls++;
    s.us += us;
    s.max = Math.max(s.max, us);
    by.set(key, s);
  }
  console.log(
    rate
      ? `${jobs} jobs added at ${rate}/s and run, c=${concurrency}, ${keep ? 'kept' : 'removed'} (SLOWLOG on; adds counted)`
      : `drain ${jobs} jobs, c=${concurrency}, ${keep ? 'kept' : 'removed'}: ` +
          `${Math.round(jobs / (elapsed / 1000))} jobs/s (in-process worker, SLOWLOG on)`,
  );
  console.log('command/script       calls   jobs/call   µs/call   max µs   µs/job');
  for (const [k, s] of [...by].sort((a, b) => b[1].us - a[1].us)) {
    console.log(
      `${k.padEnd(20)} ${String(s.calls).padStart(6)} ${(jobs / s.calls).toFixed(1).padStart(11)} ` +
        `${(s.us / s.calls).toFixed(1).padStart(9)} ${String(s.max).padStart(8)} ` +
        `${(s.us / jobs).toFixed(2).padStart(8)}`,
    );
  }
  await queue.close();
} finally {
  await admin.close();
  await server.stop();
}
