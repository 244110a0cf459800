/**
 * One Redis reader per topic per process, whatever the mix of SSE and WebSocket clients, live
 * or replaying; live clients share one library subscription; each entry is encoded once per
 * protocol, not once per client; ephemeral topics go through the same endpoints, live only.
 */
import { expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { Redis as RedisClient } from 'ioredis';
import { encodeCounter } from '../../src/server/gateway/frames.js';
import { gatewayStats } from '../../src/server/gateway/index.js';
import { redisUrl } from '../harness/context.js';
import { WsClient, sseEntries, sseText, startServer, waitFor } from './helpers.js';

async function numsub(redis: Redis, channel: string): Promise<number> {
  const reply = (await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
  return Number(reply[1]);
}

it('shares one Redis reader and one live subscription per topic, and encodes once', async () => {
  const s = await startServer();
  const redis = new RedisClient(redisUrl());
  const topic = s.ctx.streams.topic('room');
  const history = await topic.publish('h0');
  const live = await Promise.all(Array.from({ length: 5 }, () => new WsClient(s.ws)));
  const replaying = await Promise.all(Array.from({ length: 5 }, () => new WsClient(s.ws)));
  await Promise.all([...live, ...replaying].map((c) => c.opened));
  for (const c of live) await c.subscribe('room');
  for (const c of replaying) await c.subscribe('room', '0');
  const sse = await Promise.all([
    sseText(`${s.url}/v1/topics/room/events`),
    sseText(`${s.url}/v1/topics/room/events?after=${history.position}`),
  ]);
  await waitFor(() => replaying.every((c) => c.of('entry').length === 1), 'the backlog');

  expect(await numsub(redis, `${s.prefix}:{s:room}:live`)).toBe(1);
  expect(gatewayStats(s.ctx)).toMatchObject({ feeds: 1, replays: 6 });

  const before = { ...encodeCounter };
  await topic.publishBulk(Array.from({ length: 10 }, (_, i) => ({ data: i })));
  await waitFor(() => live.every((c) => c.of('entry').length === 10), 'live entries');
  await waitFor(() => replaying.every((c) => c.of('entry').length === 11), 'replayed + live');
  await waitFor(() => sse.every((x) => sseEntries(x.text()).length === 10), 'SSE entries');
  // 10 entries, 10 WebSocket clients and 2 SSE clients: 10 encodings per protocol.
  expect(encodeCounter.ws - before.ws).toBe(10);
  expect(encodeCounter.sse - before.sse).toBe(10);
  for (const c of replaying)
    expect(c.of('entry').map((m) => m.data)).toEqual([
      'h0',
      ...Array.from({ length: 10 }, (_, i) => i),
    ]);

  for (const x of sse) x.abort();
  for (const c of [...live, ...replaying]) c.socket.close();
  await waitFor(
    () => gatewayStats(s.ctx).feeds === 0 && gatewayStats(s.ctx).replays === 0,
    'all released',
  );
  await waitFor(
    async () => (await numsub(redis, `${s.prefix}:{s:room}:live`)) === 0,
    'channel left',
  );
  redis.disconnect();
});

it('serves ephemeral topics on both endpoints, live only, and says there is no resume', async () => {
  const s = await startServer({ gateway: { ephemeralPrefixes: ['typing:'] } });
  const c = new WsClient(s.ws);
  await c.opened;
  expect(await c.subscribe('typing:7')).toMatchObject({
    replay: 'ephemeral',
    recovered: false,
    from: null,
  });
  const other = new WsClient(s.ws);
  await other.opened;
  expect(await other.subscribe('typing:7', '0')).toMatchObject({
    replay: 'ephemeral',
    recovered: false,
  });
  expect(await other.next('truncated', 'typing:7')).toMatchObject({
    reason: 'ephemeral',
    firstAvailable: null,
  });
  const sse = await sseText(`${s.url}/v1/topics/typing:7/events`);
  expect(sse.res.headers.get('sluice-replay')).toBe('ephemeral');
  await waitFor(() => sse.text().includes('event: subscribed'), 'subscribed event');
  c.send({ type: 'publish', topic: 'typing:7', data: { user: 'ada' }, id: 1 });
  expect(await c.next('published')).toMatchObject({ position: null, receivers: 1 });
  await c.next('entry', 'typing:7');
  await other.next('entry', 'typing:7');
  await waitFor(() => sseEntries(sse.text()).length === 1, 'the SSE entry');
  expect(sseEntries(sse.text())[0]).toEqual({ id: undefined, data: { user: 'ada' } });
  expect(c.of('entry')[0]).toMatchObject({ position: null, data: { user: 'ada' } });
  // Nothing durable was written.
  expect((await s.ctx.streams.topic('typing:7').info()).exists).toBe(false);
  sse.abort();
});
