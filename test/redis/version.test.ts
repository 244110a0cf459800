/**
 * The Redis version check: the parser and comparison on INFO text, the real path on the harness
 * Redis, and a refusal from a fake server (RESP over a real socket) that claims Redis 6.0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue, RedisVersionError, Streams } from '../../src/index.js';
import {
  MIN_REDIS_VERSION,
  assertRedisVersion,
  compareVersions,
  parseRedisVersion,
  verifyRedisVersion,
} from '../../src/redis/version.js';
import { redisUrl, uniquePrefix } from '../harness/context.js';
import { startFakeRedis, type FakeRedis } from './fake-redis.js';

const info = (v: string) => `# Server\r\nredis_version:${v}\r\nredis_git_sha1:00000000\r\n`;

describe('parsing and comparing', () => {
  it('reads redis_version from INFO text', () => {
    expect(parseRedisVersion(info('7.0.15'))).toBe('7.0.15');
    expect(parseRedisVersion('# Server\nredis_mode:standalone\n')).toBeUndefined();
  });

  it('compares numerically, not as text', () => {
    expect(compareVersions('6.10.0', '6.2.0')).toBeGreaterThan(0);
    expect(compareVersions('6.2', '6.2.0')).toBe(0);
    expect(compareVersions('6.0.16', '6.2.0')).toBeLessThan(0);
    expect(compareVersions('7.2.4-rc1', '7.2.4')).toBe(0);
  });

  it('refuses older than 6.2 with the minimum named', () => {
    expect(MIN_REDIS_VERSION).toBe('6.2.0');
    for (const ok of ['6.2.0', '6.2.14', '7.0.15', '7.4.1', '8.0.0']) assertRedisVersion(info(ok));
    let caught: unknown;
    try {
      assertRedisVersion(info('6.0.16'));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RedisVersionError);
    expect(caught).toMatchObject({
      code: 'SLC_ERR_REDIS_VERSION',
      found: '6.0.16',
      minimum: '6.2.0',
    });
    expect((caught as Error).message).toContain('6.2.0');
  });

  it('lets a reply without a version through', () => {
    expect(() => assertRedisVersion('# Server\r\n')).not.toThrow();
  });
});

describe('on a real Redis', () => {
  it('passes, once per connection', async () => {
    const client = new Redis(redisUrl());
    try {
      await verifyRedisVersion(client);
      await verifyRedisVersion(client);
      const q = new Queue('v', { connection: redisUrl(), prefix: uniquePrefix() });
      expect((await q.add('x', 1)).created).toBe(true);
      await q.close();
    } finally {
      client.disconnect();
    }
  });
});

describe('on a server that claims Redis 6.0', () => {
  let fake: FakeRedis;
  beforeAll(async () => {
    fake = await startFakeRedis('6.0.16');
  });
  afterAll(async () => {
    await fake.close();
  });

  it('refuses the first script call and sends no script', async () => {
    const q = new Queue('v', { connection: fake.url, prefix: uniquePrefix() });
    try {
      await expect(q.add('x', 1)).rejects.toMatchObject({
        code: 'SLC_ERR_REDIS_VERSION',
        minimum: '6.2.0',
      });
      // Remembered: the second call is refused without asking again.
      const infos = fake.commands.filter((c) => c[0]?.toUpperCase() === 'INFO').length;
      await expect(q.stats()).rejects.toBeInstanceOf(RedisVersionError);
      expect(fake.commands.filter((c) => c[0]?.toUpperCase() === 'INFO').length).toBe(infos);
      expect(fake.commands.some((c) => /^EVAL/i.test(c[0] ?? ''))).toBe(false);
    } finally {
      await q.close();
    }
  });

  it('fails the Streams health check', async () => {
    const streams = new Streams({ connection: fake.url, prefix: uniquePrefix() });
    try {
      // Any call waits for the connection; ping itself needs it up.
      await streams
        .topic('t')
        .info()
        .catch(() => {});
      await expect(streams.ping()).rejects.toMatchObject({ code: 'SLC_ERR_REDIS_VERSION' });
    } finally {
      await streams.close();
    }
  });
});
