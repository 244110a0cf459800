/**
 * The main job for now: a live demo of Sluice queues. Producers and workers on three queues (one
 * flaky, one with delayed jobs), with live per-queue figures once a second until Ctrl-C.
 *
 * Redis: `REDIS_URL` if set; otherwise a redis-server started here with AOF on and its data under
 * `.data/redis` (so jobs survive a restart of the demo), stopped again on exit.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, Worker, type QueueStats } from '../src/index.js';
import { freePort, RedisServer } from '../test/harness/redis-server.js';

const root = fileURLToPath(new URL('..', import.meta.url));

async function redisUrl(): Promise<{ url: string; server?: RedisServer }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL };
  const dir = join(root, '.data', 'redis');
  mkdirSync(dir, { recursive: true });
  const server = await RedisServer.start({
    persistence: 'aof-everysec',
    dir,
    port: await freePort(),
    detached: true,
  });
  // Detached from the terminal's Ctrl-C (so it outlives the workers' goodbye), it must not
  // outlive the demo however the demo exits.
  process.on('exit', () => void server.kill9());
  return { url: server.url, server };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { url, server } = await redisUrl();
console.log(
  `sluice demo on ${url}${server ? ` (own redis-server, AOF on, data in .data/redis)` : ''}`,
);
const connection = url;
const names = ['emails', 'notes-sync', 'reports'] as const;
const queues = names.map((n) => new Queue(n, { connection, prefix: 'demo' }));
const [emails, notes, reports] = queues as [Queue, Queue, Queue];

const workers = [
  new Worker('emails', async () => sleep(5 + Math.random() * 20), {
    connection,
    prefix: 'demo',
    concurrency: 20,
  }),
  new Worker(
    'notes-sync',
    async () => {
      await sleep(10 + Math.random() * 30);
      // A flaky outside API: 20% of calls fail and are retried with back-off; some dead-letter.
      if (Math.random() < 0.2) throw new Error('chat API answered 503');
    },
    {
      connection,
      prefix: 'demo',
      concurrency: 10,
      retry: {
        maxAttempts: 3,
        backoff: { type: 'exponential', baseMs: 500, factor: 2, maxMs: 5000 },
      },
    },
  ),
  new Worker('reports', async () => sleep(200 + Math.random() * 300), {
    connection,
    prefix: 'demo',
    concurrency: 2,
  }),
];
for (const w of workers) w.on('error', (err) => console.error(`worker error: ${err.message}`));

let stopping = false;
async function produce(): Promise<void> {
  let n = 0;
  while (!stopping) {
    n++;
    await emails.addBulk(
      Array.from({ length: 40 }, (_, i) => ({
        name: 'welcome',
        data: { to: `user${n}-${i}@example.com` },
      })),
    );
    await notes.add('note-changed', { noteId: n }, { priority: n % 10 === 0 ? 'high' : 'normal' });
    if (n % 5 === 0) await reports.add('daily', { day: n }, { delay: 1000 + Math.random() * 4000 });
    await sleep(100);
  }
}

const previous = new Map<string, number>();
function row(s: QueueStats): string {
  const done = s.totals.completed;
  const rate = done - (previous.get(s.name) ?? done);
  previous.set(s.name, done);
  const cells = [
    s.name,
    s.waiting,
    s.active,
    s.delayed,
    s.completed,
    s.failed,
    rate,
    s.totals.completed,
    s.paused ? 'paused' : '',
  ];
  return cells.map((c, i) => String(c).padStart(i === 0 ? 12 : 9)).join(' ');
}

async function display(): Promise<void> {
  const header = [
    'queue',
    'waiting',
    'active',
    'delayed',
    'completed',
    'failed',
    'jobs/s',
    'total',
    '',
  ]
    .map((c, i) => c.padStart(i === 0 ? 12 : 9))
    .join(' ');
  while (!stopping) {
    const stats = await Promise.all(queues.map((q) => q.stats()));
    const lines = [new Date().toISOString(), header, ...stats.map(row), '(Ctrl-C to stop)'];
    process.stdout.write((process.stdout.isTTY ? '\x1b[2J\x1b[H' : '') + lines.join('\n') + '\n');
    await sleep(1000);
  }
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping: finishing in-flight jobs…');
  await Promise.all(workers.map((w) => w.close(5000)));
  await Promise.all(queues.map((q) => q.close()));
  await server?.shutdown();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

void produce();
await display();
