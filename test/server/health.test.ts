/** `/healthz` and `/readyz` over real HTTP: ready on the harness Redis, 503 when it is not. */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, resolveConfig, type SluiceServer } from '../../src/server/index.js';
import { freePort } from '../harness/redis-server.js';
import { redisUrl, uniquePrefix } from '../harness/context.js';
import { startFakeRedis, type FakeRedis } from '../redis/fake-redis.js';

let server: SluiceServer | undefined;
let fake: FakeRedis | undefined;
afterEach(async () => {
  await server?.close();
  await fake?.close();
  server = fake = undefined;
});

async function start(url: string): Promise<string> {
  const config = resolveConfig(
    { port: 0, logLevel: 'silent' },
    { REDIS_URL: url, SLUICE_PREFIX: uniquePrefix() },
  );
  server = await createServer({ config });
  return server.listen();
}

describe('health', () => {
  it('is up and ready on a reachable Redis', async () => {
    const base = await start(redisUrl());
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const live = await fetch(`${base}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    // The first probe may come before the connection is up: ready within a few tries.
    let ready = await fetch(`${base}/readyz`);
    for (let i = 0; ready.status !== 200 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      ready = await fetch(`${base}/readyz`);
    }
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      redisLatencyMs: expect.any(Number),
    });
  });

  it('is live but not ready when Redis is unreachable', async () => {
    const base = await start(`redis://127.0.0.1:${await freePort()}`);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('SLC_ERR_CONNECTION');
  });

  it('is not ready on a Redis older than 6.2, and says why', async () => {
    fake = await startFakeRedis('6.0.16');
    const base = await start(fake.url);
    let ready = await fetch(`${base}/readyz`);
    for (let i = 0; ready.status === 503 && i < 50; i++) {
      const body = (await ready.clone().json()) as { error: { code: string } };
      if (body.error.code === 'SLC_ERR_REDIS_VERSION') break;
      await new Promise((r) => setTimeout(r, 20));
      ready = await fetch(`${base}/readyz`);
    }
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      error: {
        code: 'SLC_ERR_REDIS_VERSION',
        message: 'Redis 6.0.16 is too old: Sluice needs Redis 6.2.0 or newer',
      },
    });
  });
});
