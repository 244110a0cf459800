/**
 * The demo workload `npm start` runs beside the server: workers on three queues in this process
 * (one flaky, one with delayed jobs), observed by the server's metrics, and producers that go
 * through the server's HTTP API like any outside client (jobs in batches and one by one, and
 * events on a demo topic).
 */
import { SignJWT } from 'jose';
import { Worker } from '../src/index.js';
import type { SluiceServer } from '../src/server/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The demo topic producers publish to. */
export const DEMO_TOPIC = 'demo-events';

export interface DemoWorkload {
  /** Stops the producers, then lets the workers finish (or release) what they run. */
  stop(timeoutMs?: number): Promise<void>;
}

async function adminToken(secret: string | undefined): Promise<string | undefined> {
  if (!secret) return undefined;
  return new SignJWT({ role: 'admin', topics: ['*'], publish: true })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('demo-producer')
    .setExpirationTime('30d')
    .sign(new TextEncoder().encode(secret));
}

function startWorkers(server: SluiceServer): Worker[] {
  const base = { connection: server.config.redisUrl, prefix: server.config.prefix };
  const workers: Worker[] = [
    new Worker('emails', async () => sleep(5 + Math.random() * 20), { ...base, concurrency: 20 }),
    new Worker<unknown, unknown>(
      'notes-sync',
      async () => {
        await sleep(10 + Math.random() * 30);
        // A flaky outside API: 20% of calls fail and are retried with back-off; some dead-letter.
        if (Math.random() < 0.2) throw new Error('chat API answered 503');
      },
      {
        ...base,
        concurrency: 10,
        retry: {
          maxAttempts: 3,
          backoff: { type: 'exponential', baseMs: 500, factor: 2, maxMs: 5000 },
        },
      },
    ),
    new Worker('reports', async () => sleep(200 + Math.random() * 300), {
      ...base,
      concurrency: 2,
    }),
  ];
  for (const w of workers) {
    server.metrics.observeWorker(w);
    w.on('error', (err) =>
      server.app.log.warn({ queue: w.name, err: err.message }, 'worker error'),
    );
  }
  return workers;
}

/** Starts the workers and the HTTP producers against a listening server. */
export async function startDemo(server: SluiceServer): Promise<DemoWorkload> {
  const workers = startWorkers(server);
  server.metrics.watchTopic(DEMO_TOPIC);
  const token = await adminToken(server.config.secret);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const warned = new Set<string>();
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    if (!res.ok && !warned.has(path.split('/')[2]!)) {
      warned.add(path.split('/')[2]!);
      server.app.log.warn({ path, status: res.status }, 'demo producer: request refused');
    }
    await res.arrayBuffer();
  };

  let stopping = false;
  const produce = async () => {
    for (let n = 1; !stopping; n++) {
      try {
        const jobs = Array.from({ length: 40 }, (_, i) => ({
          name: 'welcome',
          data: { to: `user${n}-${i}@example.com` },
        }));
        await post('/v1/queues/emails/jobs', { jobs });
        await post('/v1/queues/notes-sync/jobs', {
          name: 'note-changed',
          data: { noteId: n },
          priority: n % 10 === 0 ? 'high' : 'normal',
        });
        if (n % 5 === 0)
          await post('/v1/queues/reports/jobs', {
            name: 'daily',
            data: { day: n },
            delay: Math.round(1000 + Math.random() * 4000),
          });
        await post(`/v1/topics/${DEMO_TOPIC}`, { data: { kind: 'tick', n, at: Date.now() } });
      } catch (err) {
        if (!stopping) server.app.log.warn({ err: (err as Error).message }, 'demo producer failed');
      }
      await sleep(stopping ? 0 : 200);
    }
  };
  const producing = produce();

  return {
    async stop(timeoutMs = 5000) {
      stopping = true;
      await producing;
      await Promise.all(workers.map((w) => w.close(timeoutMs)));
    },
  };
}
