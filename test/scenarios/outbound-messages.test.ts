/**
 * Seed scenario 5, outbound messages: messages per account (a phone number) with HIGH / NORMAL /
 * LOW priority and optional scheduled send time; each account's messages go out in order and
 * rate limited per account; attempts and the last error are kept. The app process is kill -9-ed
 * and restarted, and so is Redis (AOF always), mid-run: every pending message is sent exactly
 * once, none lost. Finished messages past their age ("7 days", shortened) are gone while the
 * queue is idle. An operator lists one account's messages and their states over HTTP (the
 * server's per-entity route, `GET /v1/queues/outbound/jobs?entity=<account>`), before and after.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue, type AddOptions } from '../../src/index.js';
import { queueKeys } from '../../src/redis/keys.js';
import { buildApp } from '../../src/server/app.js';
import { closeContext, createContext } from '../../src/server/context.js';
import { uniquePrefix, waitFor } from '../harness/context.js';
import { RedisServer } from '../harness/redis-server.js';
import { spawnFixture, type Child } from '../crash/process.js';

const ACCOUNTS = 10;
const PER_ACCOUNT = 24;
const TOTAL = ACCOUNTS * PER_ACCOUNT;
const RATE = { max: 4, durationMs: 300 };
const LEVELS = ['high', 'normal', 'low'] as const;
const RANK = { high: 0, normal: 1, low: 2 };

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start({ persistence: 'aof-always' });
});
afterAll(async () => {
  await redis.stop();
});

interface Planned {
  id: string;
  account: string;
  i: number;
  level: (typeof LEVELS)[number];
  dueAt?: number;
  failOnce: boolean;
}

it('sends every pending message exactly once, in order and rate limited per account, across app and Redis kill -9', async () => {
  const prefix = uniquePrefix();
  const probe = new Redis(redis.url);
  probe.on('error', () => {});
  const q = new Queue('outbound', { connection: redis.url, prefix });
  q.on('error', () => {});
  const children: Child[] = [];
  const ctx = createContext({
    redisUrl: redis.url,
    prefix,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
  });
  const server = await buildApp(ctx);
  const base = await server.listen({ port: 0, host: '127.0.0.1' });
  /** One account's messages over HTTP, newest first, as `{id: state}`. */
  const listAccount = async (account: string) => {
    const res = await fetch(
      `${base}/v1/queues/outbound/jobs?entity=${encodeURIComponent(account)}&limit=1000`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      total: number;
      jobs: { id: string; state: string; attemptsMade: number; history: { error: string }[] }[];
    };
    expect(body.total).toBe(body.jobs.length);
    return body.jobs;
  };
  const app = (keepAgeMs: number) => {
    const c = spawnFixture('outbound-app.ts', {
      REDIS_URL: redis.url,
      PREFIX: prefix,
      KEEP_AGE_MS: String(keepAgeMs),
    });
    children.push(c);
    return c;
  };
  try {
    await q.setLimits({ groupRateLimit: RATE });
    const plan: Planned[] = [];
    const now = Date.now();
    for (let a = 0; a < ACCOUNTS; a++)
      for (let i = 0; i < PER_ACCOUNT; i++)
        plan.push({
          id: `msg-${a}-${i}`,
          account: `+3161234${String(a).padStart(4, '0')}`,
          i,
          level: LEVELS[(i * 7 + a) % 3]!,
          dueAt: i % 8 === 5 ? now + 1000 + 100 * a : undefined,
          failOnce: i % 6 === 1,
        });
    await q.addBulk(
      plan.map((m) => {
        const opts: AddOptions = {
          id: m.id,
          group: m.account,
          entity: m.account,
          priority: m.level,
        };
        if (m.dueAt) opts.runAt = m.dueAt;
        return {
          name: 'sms',
          data: { account: m.account, text: `hi ${m.i}`, failOnce: m.failOnce },
          opts,
        };
      }),
    );
    const k = queueKeys(prefix, 'outbound');
    // before any app runs: one account's messages, newest first, scheduled ones delayed
    const account = plan[3 * PER_ACCOUNT]!.account;
    const ofAccount = plan.filter((m) => m.account === account);
    const before = await listAccount(account);
    expect(before.map((j) => j.id)).toEqual(ofAccount.map((m) => m.id).reverse());
    expect(before.map((j) => j.state)).toEqual(
      ofAccount.map((m) => (m.dueAt ? 'delayed' : 'waiting')).reverse(),
    );
    const sentCount = () => probe.hlen(`${prefix}:provider:sent`).catch(() => 0);

    let current = app(86_400_000 * 7);
    await current.waitFor((m) => m.ready === true);
    await waitFor(async () => (await sentCount()) >= TOTAL * 0.25, 'a quarter sent', 60_000);
    await current.kill9();
    await new Promise((r) => setTimeout(r, 200));
    current = app(86_400_000 * 7);
    await waitFor(async () => (await sentCount()) >= TOTAL * 0.6, '60% sent', 60_000);
    await redis.kill9();
    await new Promise((r) => setTimeout(r, 300));
    await redis.restart();
    await waitFor(
      async () => Number((await probe.hget(k.meta, 'completed').catch(() => 0)) ?? 0) >= TOTAL,
      'all completed',
      120_000,
    );

    // exactly once: every message recorded completed once, sent once, none lost
    const completedTotal = Number(await probe.hget(k.meta, 'completed'));
    const completedIds = new Set(await probe.zrange(k.completed, 0, -1));
    expect(completedTotal).toBe(TOTAL);
    expect(completedIds.size).toBe(TOTAL);
    const sent = await probe.hgetall(`${prefix}:provider:sent`);
    expect(Object.keys(sent).sort()).toEqual(plan.map((m) => m.id).sort());

    const at = (id: string) => sent[id]!.split(':').map(Number) as [number, number];
    for (let a = 0; a < ACCOUNTS; a++) {
      const mine = plan.filter((m) => m.account === plan[a * PER_ACCOUNT]!.account);
      // in order: messages that waited from the start went out by priority, then enqueue order
      const immediate = mine.filter((m) => !m.dueAt);
      const bySend = [...immediate].sort((x, y) => at(x.id)[0] - at(y.id)[0]).map((m) => m.id);
      const expected = [...immediate]
        .sort((x, y) => RANK[x.level] - RANK[y.level] || x.i - y.i)
        .map((m) => m.id);
      expect(bySend).toEqual(expected);
      // scheduled ones not before their time (same machine clock; Redis's calibrated one)
      for (const m of mine.filter((m) => m.dueAt))
        expect(at(m.id)[1]).toBeGreaterThanOrEqual(m.dueAt! - 20);
      // rate limited: fixed windows of 300 ms allow 4 each, so 9 sends span at least one window
      const times = mine.map((m) => at(m.id)[1]).sort((x, y) => x - y);
      for (let i = 0; i + 2 * RATE.max < times.length; i++)
        expect(times[i + 2 * RATE.max]! - times[i]!).toBeGreaterThanOrEqual(RATE.durationMs - 60);
    }

    // attempts and the last error are kept
    const flaky = (await q.getJob('msg-3-1'))!;
    expect(flaky.state).toBe('completed');
    expect(flaky.attemptsMade).toBe(2); // the failed attempt and the one that completed;
    expect(flaky.history.at(-1)!.error).toBe('provider 503');

    // an operator lists one account's messages and their states (and attempts) over HTTP
    const listed = await listAccount(account);
    expect(listed.map((j) => j.id)).toEqual(ofAccount.map((m) => m.id).reverse());
    expect(new Set(listed.map((j) => j.state))).toEqual(new Set(['completed']));
    const retried = listed.find((j) => j.id === ofAccount.find((m) => m.failOnce)!.id)!;
    expect(retried.attemptsMade).toBe(2);
    expect(retried.history.at(-1)!.error).toBe('provider 503');

    // "7 days" later (the age shortened to 1 s): finished messages go while the queue is idle
    await current.kill9();
    current = app(1000);
    await waitFor(async () => (await probe.zcard(k.completed)) === 0, 'retention', 30_000);
    expect(await probe.hlen(k.jobs)).toBe(0);
    expect(await probe.hlen(k.info)).toBe(0);
    expect((await q.stats()).waiting).toBe(0);
  } finally {
    await Promise.all(children.map((c) => c.kill9()));
    await server.close();
    await closeContext(ctx);
    await q.close();
    probe.disconnect();
  }
}, 240_000);
