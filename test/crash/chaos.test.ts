/**
 * Chaos, bounded (30 steps of faults, a second apart: ~40 s): producers add jobs (own ids, retried until acknowledged),
 * three worker processes drain them, a publisher publishes numbered stream entries (idempotency
 * keys, retried) that a subscriber and a consumer group read — while, mixed together, a random
 * worker is kill -9-ed and restarted, Redis (AOF `appendfsync always`) is kill -9-ed and
 * restarted, random connections are cut with `CLIENT KILL`, and Redis is paused (`SIGSTOP`) for
 * 3 s. The ledger of this file: lost and duplicate completions (from the queue's completed set
 * and total), and stream gaps, duplicates and reorderings seen by the subscriber, and entries the
 * group never handled. All must be 0.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue, START, Streams } from '../../src/index.js';
import { uniquePrefix, waitFor } from '../harness/context.js';
import { RedisServer } from '../harness/redis-server.js';
import { report, tally } from './accounting.js';
import { spawnFixture, type Child } from './process.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start({ persistence: 'aof-always' });
});
afterAll(async () => {
  await redis.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `op` until it succeeds (every fault here is temporary). */
async function untilDone<T>(op: () => Promise<T>, stop: () => boolean): Promise<T | undefined> {
  for (let attempt = 0; !stop(); attempt++) {
    try {
      return await op();
    } catch {
      await sleep(Math.min(20 * 2 ** attempt, 500));
    }
  }
  return undefined;
}

it('worker kill -9, Redis kill -9 (AOF always), CLIENT KILL and SIGSTOP: nothing lost, nothing twice, no gap', async () => {
  const prefix = uniquePrefix();
  const name = 'chaos';
  const env = {
    REDIS_URL: redis.url,
    PREFIX: prefix,
    QUEUE: name,
    HANDLER: 'sleep:1-5',
    CONCURRENCY: '10',
    LEASE_MS: '2000',
  };
  const retry = { attempts: 1000, maxDelayMs: 250 };
  const queue = new Queue(name, { connection: redis.url, prefix, connectionRetry: retry });
  queue.on('error', () => {});
  const streams = new Streams({ connection: redis.url, prefix, retry });
  const topic = streams.topic<number>('events');
  const group = topic.group('g');
  await group.create();

  // Ledgers.
  const acked: string[] = [];
  const published: number[] = [];
  const received: number[] = [];
  const handledByGroup = new Set<number>();
  const faults = { workerKills: 0, redisKills: 0, clientKills: 0, pauses: 0 };
  let stopping = false;
  let failed: unknown;

  const workers: Child[] = [];
  const startWorker = async () => {
    const w = spawnFixture('worker.ts', env);
    await w.waitFor((m) => m.ready === true);
    return w;
  };
  for (let i = 0; i < 3; i++) workers.push(await startWorker());

  const sub = topic.subscribe({ after: START });
  const reading = (async () => {
    for await (const ev of sub) {
      if (ev.type === 'entry') received.push(ev.entry.data);
      else failed = new Error(`truncated: ${JSON.stringify(ev.truncation)}`);
    }
  })().catch((err: unknown) => {
    failed = err;
  });
  const consumer = group.process(
    (entry) => {
      handledByGroup.add(entry.data);
    },
    { consumer: 'c1', claimIdleMs: 2000, retryDelayMs: 50, blockMs: 500 },
  );
  consumer.on('error', () => {});

  let nextJob = 0;
  const producer = async () => {
    while (!stopping) {
      const id = `c-${nextJob++}`;
      const ok = await untilDone(
        () => queue.add('c', { id }, { id }),
        () => false,
      );
      if (ok) acked.push(id);
      await sleep(5);
    }
  };
  let nextSeq = 0;
  const publisher = async () => {
    while (!stopping) {
      const seq = nextSeq++;
      await untilDone(
        () => topic.publish(seq, { idempotencyKey: `p-${seq}` }),
        () => false,
      );
      published.push(seq);
      await sleep(5);
    }
  };
  const lanes = [...Array.from({ length: 4 }, producer), publisher()];

  const admin = new Redis(redis.url, { retryStrategy: () => 50, maxRetriesPerRequest: 1 });
  admin.on('error', () => {});
  const clientKill = async () => {
    const list = (await admin.call('CLIENT', 'LIST')) as string;
    const ids = list
      .split('\n')
      .map((l) => /id=(\d+)/.exec(l)?.[1])
      .filter((x): x is string => x !== undefined);
    for (let i = 0; i < 2 && ids.length; i++) {
      const id = ids.splice(Math.floor(Math.random() * ids.length), 1)[0]!;
      await admin.call('CLIENT', 'KILL', 'ID', id);
      faults.clientKills++;
    }
  };
  try {
    // A fixed script of faults (so each kind happens however slow the machine is), a second
    // apart, with two connections cut before each step.
    const killWorker = async () => {
      const i = Math.floor(Math.random() * workers.length);
      await workers[i]!.kill9();
      workers[i] = await startWorker();
      faults.workerKills++;
    };
    const killRedis = async () => {
      await redis.kill9();
      await sleep(300);
      await redis.restart();
      faults.redisKills++;
    };
    const pauseRedis = async () => {
      process.kill(redis.pid!, 'SIGSTOP');
      await sleep(3000);
      process.kill(redis.pid!, 'SIGCONT');
      faults.pauses++;
    };
    const idle = async () => {};
    const script = [
      ...[idle, idle, killWorker, idle, idle, idle, idle, killRedis, idle, idle],
      ...[killWorker, idle, idle, idle, pauseRedis, idle, idle, killWorker, idle, idle],
      ...[idle, idle, killRedis, idle, idle, killWorker, idle, idle, idle, idle],
    ];
    for (const step of script) {
      await sleep(1000);
      await clientKill().catch(() => {});
      await step();
    }
    stopping = true;
    await Promise.all(lanes);
    await waitFor(
      async () =>
        (await untilDone(
          () => queue.stats(),
          () => false,
        ))!.completed >= acked.length,
      'every acknowledged job completed',
      60_000,
    );
    await waitFor(() => received.length >= published.length, 'the subscriber caught up', 30_000);
    await waitFor(
      () => published.every((s) => handledByGroup.has(s)),
      'the group handled every entry',
      30_000,
    );
    const t = await tally(redis.url, prefix, name, acked);
    const seen = new Set(received);
    const stream = {
      published: published.length,
      gaps: published.filter((s) => !seen.has(s)).length,
      duplicates: received.length - seen.size,
      outOfOrder: received.filter((s, i) => i > 0 && s < received[i - 1]!).length,
      unhandledByGroup: published.filter((s) => !handledByGroup.has(s)).length,
    };
    report('chaos', t, { ...faults, stream });
    expect(failed).toBeUndefined();
    expect(faults).toMatchObject({ redisKills: 2, pauses: 1 });
    expect(faults.workerKills).toBeGreaterThanOrEqual(4);
    expect(faults.clientKills).toBeGreaterThan(20);
    expect(acked.length).toBeGreaterThan(1000);
    expect(t).toMatchObject({ lost: 0, duplicates: 0 });
    expect(t.completed).toBe(t.expected);
    expect(stream).toMatchObject({ gaps: 0, duplicates: 0, outOfOrder: 0, unhandledByGroup: 0 });
  } finally {
    stopping = true;
    admin.disconnect();
    sub.close();
    await reading;
    await consumer.close(0).catch(() => {});
    await Promise.all(workers.map((w) => w.kill9()));
    await streams.close();
    await queue.close();
  }
}, 240_000);
