/**
 * `GET /metrics` over real HTTP: queue figures from Redis, worker figures from observed workers,
 * topic figures aggregated unless topic labels are asked for; and the cost of a scrape counted
 * in Redis `INFO commandstats` on a redis-server of its own: one call per queue, no key scan,
 * and nothing at all for a second scrape within the cache time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Worker } from '../../src/index.js';
import { createServer, resolveConfig, type SluiceServer } from '../../src/server/index.js';
import { queueKeys } from '../../src/redis/keys.js';
import { RedisServer } from '../harness/redis-server.js';
import { WsClient } from '../gateway/helpers.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';

let server: SluiceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(url: string, flags: { metricsTopicLabels?: boolean } = {}) {
  const config = resolveConfig(
    { port: 0, logLevel: 'silent', ...flags },
    {
      REDIS_URL: url,
      SLUICE_PREFIX: uniquePrefix(),
    },
  );
  server = await createServer({ config });
  const base = await server.listen();
  return { server, base, scrape: async () => (await fetch(`${base}/metrics`)).text() };
}

/** The value of the sample `name{labels}` in Prometheus text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('metrics', () => {
  it('reports queue states, totals, oldest waiting age and worker figures', async () => {
    const { server: s, scrape } = await start(redisUrl());
    const q = s.context.queues.get('mails');
    const prefix = s.config.prefix;
    const worker = new Worker(
      'mails',
      async (job) => {
        if (job.data === 'bad') throw new Error('no');
      },
      { connection: redisUrl(), prefix, retry: { maxAttempts: 1 } },
    );
    s.metrics.observeWorker(worker);
    await q.add('m', 'ok');
    await q.add('m', 'bad');
    await waitFor(async () => (await q.stats()).totals.failed === 1, 'one failure');
    await waitFor(async () => (await q.stats()).totals.completed === 1, 'one completion');
    await worker.close();
    await q.add('m', 'later', { delay: 60_000 });
    await q.add('m', 'w1');
    await q.add('m', 'w2');
    const text = await scrape();
    expect(sample(text, 'sluice_queue_jobs', 'queue="mails",state="waiting"')).toBe(2);
    expect(sample(text, 'sluice_queue_jobs', 'queue="mails",state="delayed"')).toBe(1);
    expect(sample(text, 'sluice_queue_jobs', 'queue="mails",state="failed"')).toBe(1);
    expect(sample(text, 'sluice_queue_completed_total', 'queue="mails"')).toBe(1);
    expect(sample(text, 'sluice_queue_failed_total', 'queue="mails"')).toBe(1);
    expect(
      sample(text, 'sluice_queue_oldest_waiting_seconds', 'queue="mails"'),
    ).toBeGreaterThanOrEqual(0);
    expect(
      sample(text, 'sluice_job_processing_seconds_count', 'queue="mails",outcome="completed"'),
    ).toBe(1);
    expect(
      sample(text, 'sluice_job_processing_seconds_count', 'queue="mails",outcome="failed"'),
    ).toBe(1);
    expect(sample(text, 'sluice_worker_lease_lost_total', 'queue="mails"')).toBe(0);
    expect(text).toMatch(/^# TYPE sluice_queue_completed_total counter$/m);
    expect(text).toMatch(/^# TYPE sluice_job_processing_seconds histogram$/m);
    // prom-client's default process metrics, in this server's own registry.
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    // No job id anywhere in a label.
    expect(text).not.toMatch(/job(_id)?="/);
  });

  it('counts lease-lost and stalls of observed workers', async () => {
    const { server: s, scrape } = await start(redisUrl());
    const prefix = s.config.prefix;
    let calls = 0;
    const worker = new Worker(
      'leases',
      async (_job, ctx) => {
        // The first attempt hangs until its lease is taken away; the second finishes.
        if (++calls === 1)
          await new Promise((_, reject) => ctx.signal.addEventListener('abort', reject));
      },
      { connection: redisUrl(), prefix, leaseMs: 300, heartbeatMs: 50, stallCheckMs: 25 },
    );
    s.metrics.observeWorker(worker);
    try {
      await s.context.queues.get('leases').add('x', 1, { id: 'k' });
      await waitFor(() => calls === 1, 'first attempt');
      // Someone else's token in the lease hash: the heartbeat is refused (fencing), the lease
      // runs out, and the reaper returns the job to waiting as a stall.
      const raw = new Redis(redisUrl());
      await raw.hset(queueKeys(prefix, 'leases').lease, 'k', 'not-yours');
      raw.disconnect();
      await waitFor(
        async () => (await s.context.queues.get('leases').stats()).totals.completed === 1,
        'completion of the second attempt',
      );
    } finally {
      await worker.close();
    }
    const text = await scrape();
    expect(sample(text, 'sluice_worker_lease_lost_total', 'queue="leases"')).toBe(1);
    expect(sample(text, 'sluice_worker_stalls_total', 'queue="leases"')).toBe(1);
    expect(
      sample(text, 'sluice_job_processing_seconds_count', 'queue="leases",outcome="completed"'),
    ).toBe(1);
  });

  it('sums topic figures without a topic label by default', async () => {
    const { server: s, scrape } = await start(redisUrl());
    for (const name of ['orders', 'refunds']) {
      const topic = s.context.streams.topic(name);
      await topic.group('billing').create();
      await topic.publish({ n: 1 });
      await topic.publish({ n: 2 });
      s.metrics.watchTopic(name);
    }
    const text = await scrape();
    expect(sample(text, 'sluice_topic_published_total')).toBe(4);
    expect(sample(text, 'sluice_topic_group_lag')).toBe(4);
    expect(sample(text, 'sluice_topic_group_pending')).toBe(0);
    expect(text).not.toContain('topic="');
  });

  it('shows the gateway: connections open, entries delivered, slow clients dropped', async () => {
    const { server: s, base, scrape } = await start(redisUrl());
    const before = await scrape();
    expect(sample(before, 'sluice_gateway_connections')).toBe(0);
    expect(sample(before, 'sluice_gateway_delivered_total')).toBe(0);
    expect(sample(before, 'sluice_gateway_slow_disconnects_total')).toBe(0);
    const client = new WsClient(`${base.replace(/^http/, 'ws')}/v1/ws`);
    await client.opened;
    await client.subscribe('news');
    const topic = s.context.streams.topic('news');
    await topic.publish({ n: 1 });
    await topic.publish({ n: 2 });
    await waitFor(() => client.of('entry', 'news').length === 2, 'two entries');
    // Read at each scrape, not from the 1 s cache of the Redis figures.
    const during = await scrape();
    expect(sample(during, 'sluice_gateway_connections')).toBe(1);
    expect(sample(during, 'sluice_gateway_delivered_total')).toBe(2);
    client.socket.close();
    await waitFor(
      async () => sample(await scrape(), 'sluice_gateway_connections') === 0,
      'the connection counted as closed',
    );
    expect(sample(await scrape(), 'sluice_gateway_delivered_total')).toBe(2);
  });

  it('reads the topic names from the registry: two topics, none watched', async () => {
    const { server: s, scrape } = await start(redisUrl(), { metricsTopicLabels: true });
    for (const [name, n] of [
      ['orders', 2],
      ['refunds', 3],
    ] as const) {
      const topic = s.context.streams.topic(name);
      await topic.group('billing').create();
      for (let i = 0; i < n; i++) await topic.publish({ i });
    }
    expect(await s.context.registry.topics()).toEqual(['orders', 'refunds']);
    const text = await scrape();
    expect(sample(text, 'sluice_topic_published_total', 'topic="orders"')).toBe(2);
    expect(sample(text, 'sluice_topic_published_total', 'topic="refunds"')).toBe(3);
    expect(sample(text, 'sluice_topic_group_lag', 'topic="orders",group="billing"')).toBe(2);
    expect(sample(text, 'sluice_topic_group_lag', 'topic="refunds",group="billing"')).toBe(3);
  });

  it('labels topics by name when asked to', async () => {
    const { server: s, scrape } = await start(redisUrl(), { metricsTopicLabels: true });
    const topic = s.context.streams.topic('orders');
    await topic.group('billing').create();
    await topic.publish({ n: 1 });
    s.metrics.watchTopic('orders');
    const text = await scrape();
    expect(sample(text, 'sluice_topic_published_total', 'topic="orders"')).toBe(1);
    expect(sample(text, 'sluice_topic_group_lag', 'topic="orders",group="billing"')).toBe(1);
  });
});

describe('cost of a scrape', () => {
  let redis: RedisServer;
  let admin: Redis;
  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  async function calls(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const line of (await admin.info('commandstats')).split('\r\n')) {
      const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
      if (m) out.set(m[1]!, Number(m[2]));
    }
    return out;
  }
  function delta(before: Map<string, number>, after: Map<string, number>) {
    const out: Record<string, number> = {};
    for (const [cmd, n] of after) {
      const d = n - (before.get(cmd) ?? 0);
      // The measuring INFO itself is not the scrape's.
      if (d > 0 && cmd !== 'info') out[cmd] = d;
    }
    return out;
  }

  it('is one script call per queue, no key scan, and cached within a second', async () => {
    const { server: s, scrape } = await start(redis.url);
    const N = 40;
    for (let i = 0; i < N; i++) await s.context.queues.get(`q${i}`).add('j', i);
    await scrape(); // opens the queues' connections and loads the script
    await new Promise((r) => setTimeout(r, 1100)); // past the cache time
    const before = await calls();
    const text = await scrape();
    const d = delta(before, await calls());
    expect(sample(text, 'sluice_queue_jobs', 'queue="q7",state="waiting"')).toBe(1);
    // One round trip per queue (the stats script, a function on this Redis)…
    expect(d.fcall).toBe(N);
    // …and commandstats also counts the script's own inner calls: a constant per queue (counts
    // of each set, the heads of the waiting lines, at most four records), never a scan; plus
    // the registry's two name lists (queues, topics).
    const total = Object.values(d).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(17 * N + 2);
    expect(d.smembers).toBe(2);
    for (const scan of ['scan', 'keys', 'hscan', 'sscan', 'zscan']) expect(d[scan]).toBeUndefined();

    const again = await calls();
    await scrape();
    expect(delta(again, await calls())).toEqual({});
  });
});
