/**
 * Slow clients are bounded: a WebSocket client and a raw-TCP SSE client that stop reading while
 * 10,000 entries of 2 KB (20 MB, far more than the kernel's socket buffers hold) are published.
 * Each is dropped with a resume hint once its unsent bytes pass the budget; no connection ever
 * had more than the budget waiting; the heap does not grow with what was published; and a
 * subscriber that reads gets every entry, in order.
 */
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { CLOSE } from '../../src/server/gateway/codes.js';
import { Streams } from '../../src/index.js';
import { redisUrl, uniquePrefix } from '../harness/context.js';
import { forkServer } from './child.js';
import { WsClient, waitFor } from './helpers.js';

const BUDGET = 256 * 1024;
const N = 10_000;

it('drops a client that stops reading, keeps memory bounded, and others get everything', async () => {
  // The gateway runs in a process of its own, so its heap holds only what the gateway holds.
  const prefix = uniquePrefix();
  const s = await forkServer({
    redisUrl: redisUrl(),
    prefix,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    // A long grace: the stuck client reads again only after the run, and must see the 4008.
    gateway: { maxBufferedBytes: BUDGET, maxBufferedMessages: 500, closeGraceMs: 60_000 },
  });
  const streams = new Streams({ connection: redisUrl(), prefix });
  const topic = streams.topic('firehose', { maxLen: 20_000 });

  const reader = new WsClient(s.ws);
  const stuck = new WsClient(s.ws);
  await Promise.all([reader.opened, stuck.opened]);
  await reader.subscribe('firehose');
  await stuck.subscribe('firehose');
  // The stuck client's socket stops reading: the kernel buffers fill, then the gateway's.
  (stuck.socket as unknown as { _socket: { pause(): void } })._socket.pause();

  // A raw SSE client that sends its request and never reads the response.
  const port = new URL(s.url).port;
  const sse = connect(Number(port), '127.0.0.1');
  await new Promise<void>((r) => sse.once('connect', () => r()));
  sse.write(
    `GET /v1/topics/firehose/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`,
  );
  let sseClosed = false;
  sse.on('close', () => (sseClosed = true));
  sse.on('error', () => {});
  await waitFor(async () => (await s.mem()).stats.connections === 3, 'three connections');
  await new Promise((r) => setTimeout(r, 100)); // the SSE subscription is live
  sse.pause();

  const pad = 'x'.repeat(2000);
  const heapBefore = (await s.mem()).heapUsed;
  let heapMax = heapBefore;
  for (let i = 0; i < N; i += 100) {
    await topic.publishBulk(Array.from({ length: 100 }, (_, k) => ({ data: { n: i + k, pad } })));
    if (i % 1000 === 0) heapMax = Math.max(heapMax, (await s.mem()).heapUsed);
    // Publish at the pace the reading client keeps (a steady rate, not one burst).
    await waitFor(() => reader.of('entry').length >= i, 'the reader to keep up', 20_000);
  }
  await waitFor(() => reader.of('entry').length === N, 'every entry at the reader', 30_000);
  const got = reader.of('entry').map((m) => (m.data as { n: number }).n);
  expect(got).toEqual(Array.from({ length: N }, (_, i) => i));
  expect(reader.closed).toBeUndefined();

  const { stats, heapUsed } = await s.mem();
  heapMax = Math.max(heapMax, heapUsed);
  console.log();
  expect(stats.slowDropped).toBe(2);
  // No connection ever had more than the budget waiting in user space.
  expect(stats.maxBufferedBytes).toBeLessThanOrEqual(BUDGET);
  // 20 MB went to each client; buffering it for the two stuck ones would take 40 MB. The
  // gateway's heap (after a full GC) never grew by more than a few budgets.
  expect(heapMax - heapBefore).toBeLessThan(8 * BUDGET);

  // The stuck client, once it reads again, sees the last message with its resume hint, then 4008.
  (stuck.socket as unknown as { _socket: { resume(): void } })._socket.resume();
  await waitFor(() => stuck.closed, 'the slow close', 10_000);
  expect(stuck.closed!.code).toBe(CLOSE.slowConsumer);
  const last = stuck.messages[stuck.messages.length - 1]!;
  expect(last).toMatchObject({ type: 'error', code: 'SLC_ERR_SLOW_CONSUMER' });
  const hint = (last.resume as Record<string, string>).firehose;
  const seen = stuck.of('entry');
  // The hint is no later than what the client received (it resumes with no gap).
  const positions = seen.map((m) => m.position as string);
  expect(positions).toContain(hint);
  sse.on('data', () => {});
  sse.resume();
  await waitFor(() => sseClosed, 'the SSE socket closed');
  await streams.close();
});
