/**
 * The server process of one gateway-bench run: `gateway` (the Sluice server: createContext +
 * buildApp, no token, request logs off) or `sio` (Socket.IO 4 on node:http with the Redis
 * Streams adapter, WebSocket transport only, each socket joining the room it asks for). It
 * listens on 127.0.0.1:0, says `listening` with its port over IPC, and answers `mem` (heap and
 * RSS after a full GC, plus the gateway's counters) and `stop`.
 *
 *   argv: <gateway|sio> <redisUrl> <prefix>
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { buildApp } from '../../src/server/index.js';
import { closeContext, createContext } from '../../src/server/context.js';
import { gatewayStats } from '../../src/server/gateway/index.js';
import { encodeCounter } from '../../src/server/gateway/frames.js';
import type { ServerConfig } from '../../src/server/config.js';

const [kind, redisUrl, prefix] = process.argv.slice(2) as [string, string, string];
setTimeout(() => process.exit(3), 600_000).unref(); // bounded, whatever happens
process.on('disconnect', () => process.exit(0));

let port: number;
let stats: () => Record<string, number> = () => ({});
let stop: () => Promise<void>;

if (kind === 'gateway') {
  const config: ServerConfig = {
    redisUrl,
    prefix,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
  } as ServerConfig;
  const ctx = createContext(config);
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  const addr = app.server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  stats = () => ({
    ...gatewayStats(ctx),
    encodedWs: encodeCounter.ws,
    encodedSse: encodeCounter.sse,
  });
  stop = async () => {
    await app.close();
    await closeContext(ctx);
  };
} else {
  const http = createServer();
  const redis = new Redis(redisUrl);
  const io = new Server(http, {
    adapter: createAdapter(redis, { streamName: `${prefix}:sio` }),
    transports: ['websocket'],
    serveClient: false,
  });
  io.on('connection', (socket) => {
    socket.on('subscribe', (room: string, ack?: (r: string) => void) => {
      void socket.join(room);
      ack?.('ok');
    });
  });
  await new Promise<void>((r) => http.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
  const addr = http.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  stats = () => ({ connections: io.engine.clientsCount });
  stop = async () => {
    io.close();
    redis.disconnect();
  };
}

process.send!({ type: 'listening', port });
process.on('message', (m: { type: string; id: number }) => {
  if (m.type === 'mem') {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    process.send!({ type: 'mem', id: m.id, heapUsed, rss, stats: stats() });
  } else if (m.type === 'stop') {
    void stop().finally(() => process.exit(0));
  }
});
