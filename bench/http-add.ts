/**
 * HTTP admin API throughput: `POST /v1/queues/{q}/jobs`, one job per request with N requests in
 * flight and batches of `{jobs: [...]}`, next to the library's `add()` (N in flight) and
 * `addBulk()` in the same run, on one redis-server of its own. The server is the product
 * (`tsx scripts/start.ts`, demo off, request logs off) in a child process, so its CPU is its own;
 * the clients (HTTP and library) run in this process. Payload: ~100 bytes of JSON, as in the
 * other benches. Each mode runs `--reps` times, interleaved; cells are median (min–max).
 *
 *   npx tsx bench/http-add.ts [--jobs 20000] [--inflight 100] [--batch 1000] [--reps 3]
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Queue } from '../src/index.js';
import { freePort, RedisServer } from '../test/harness/redis-server.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const JOBS = arg('jobs', 20_000);
const INFLIGHT = arg('inflight', 100);
const BATCH = arg('batch', 1000);
const REPS = arg('reps', 3);
const root = fileURLToPath(new URL('..', import.meta.url));
const payload = (i: number) => ({ i, t: Date.now(), d: 'x'.repeat(64) });

/** Runs `one(i)` for i < n with `inflight` calls in flight; resolves with jobs/s. */
async function pool(
  n: number,
  inflight: number,
  one: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < n) await one(next++);
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

// node:http with keep-alive sockets, one per request in flight: lighter on the client's CPU than
// fetch (undici), so the figure is the server's, not the benchmark client's.
const agent = new Agent({ keepAlive: true, maxSockets: INFLIGHT });

function post(url: string, body: unknown): Promise<void> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          (res.statusCode ?? 500) >= 300
            ? reject(new Error(`POST ${url} answered ${res.statusCode}: ${text}`))
            : resolve(),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const redis = await RedisServer.start();
const port = await freePort();
const env: Record<string, string | undefined> = {
  ...process.env,
  REDIS_URL: redis.url,
  PORT: String(port),
  SLUICE_DEMO: '0',
  LOG_LEVEL: 'warn',
  SLUICE_PREFIX: 'bench',
};
delete env.SLUICE_SECRET;
const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
  cwd: root,
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const base = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    const m = /open (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]!);
  });
  child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
});

// The first line is printed just before the server binds: wait until it answers.
for (
  let i = 0;
  !(await fetch(`${base}/healthz`).then(
    (r) => r.ok,
    () => false,
  ));
  i++
) {
  if (i > 200) throw new Error('server did not answer /healthz');
  await new Promise((r) => setTimeout(r, 25));
}

const queue = new Queue('bench-direct', { connection: redis.url, prefix: 'bench' });
const results: Record<string, number[]> = { direct: [], http: [], directBulk: [], httpBatch: [] };
try {
  try {
    await post(`${base}/v1/queues/bench-http/jobs`, { name: 'j', data: payload(0) });
  } catch (err) {
    console.error(
      `the route POST /v1/queues/{q}/jobs is not served (${(err as Error).message}); run this after the admin routes are merged`,
    );
    process.exitCode = 2;
    throw err;
  }
  for (let rep = 0; rep < REPS; rep++) {
    results.direct!.push(
      await pool(JOBS, INFLIGHT, async (i) => void (await queue.add('j', payload(i)))),
    );
    results.http!.push(
      await pool(JOBS, INFLIGHT, (i) =>
        post(`${base}/v1/queues/bench-http/jobs`, { name: 'j', data: payload(i) }),
      ),
    );
    const chunks = Math.ceil((JOBS * 5) / BATCH);
    const t0 = performance.now();
    for (let c = 0; c < chunks; c++)
      await queue.addBulk(
        Array.from({ length: BATCH }, (_, i) => ({ name: 'j', data: payload(i) })),
      );
    results.directBulk!.push((chunks * BATCH) / ((performance.now() - t0) / 1000));
    const t1 = performance.now();
    for (let c = 0; c < chunks; c++)
      await post(`${base}/v1/queues/bench-http/jobs`, {
        jobs: Array.from({ length: BATCH }, (_, i) => ({ name: 'j', data: payload(i) })),
      });
    results.httpBatch!.push((chunks * BATCH) / ((performance.now() - t1) / 1000));
  }
  const cell = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const f = (x: number) => Math.round(x).toLocaleString('en');
    return s.length > 1
      ? `${f(s[Math.floor(s.length / 2)]!)} (${f(s[0]!)}–${f(s.at(-1)!)})`
      : f(s[0]!);
  };
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`### HTTP admin API: adding jobs (\`npx tsx bench/http-add.ts\`, ${REPS} reps)\n`);
  console.log('| Mode | Jobs | jobs/s | HTTP / direct |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| direct \`add()\`, ${INFLIGHT} in flight | ${JOBS} | ${cell(results.direct!)} | |`);
  console.log(
    `| \`POST /v1/queues/{q}/jobs\`, one job, ${INFLIGHT} in flight | ${JOBS} | ${cell(results.http!)} | ${(med(results.http!) / med(results.direct!)).toFixed(2)} |`,
  );
  console.log(
    `| direct \`addBulk()\`, chunks of ${BATCH} | ${JOBS * 5} | ${cell(results.directBulk!)} | |`,
  );
  console.log(
    `| \`POST … {jobs: [${BATCH}]}\`, one at a time | ${JOBS * 5} | ${cell(results.httpBatch!)} | ${(med(results.httpBatch!) / med(results.directBulk!)).toFixed(2)} |`,
  );
} finally {
  agent.destroy();
  await queue.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await redis.stop();
}
