/**
 * `npm start`: the Sluice server as a product, with a demo workload. Its first line is the URL
 * to open.
 *
 * - Redis: `REDIS_URL` if set; otherwise a redis-server started here (AOF on, data under
 *   `SLUICE_DATA_DIR`, default `.data/redis`, so jobs survive a restart), in a process group of
 *   its own so a terminal Ctrl-C reaches only this process, which stops it last.
 * - The server on `HOST:PORT` (default 127.0.0.1:7700; see docs/configuration.md).
 * - The demo (`SLUICE_DEMO=0` turns it off): workers in this process, producers over HTTP.
 * - Ctrl-C / SIGTERM: producers stop, workers finish or release their jobs, the server closes,
 *   Redis stops. A second Ctrl-C stops at once.
 */
import { mkdirSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../src/index.js';
import { createServer, loadConfig, urlFor, type SluiceServer } from '../src/server/index.js';
import { freePort, RedisServer } from '../src/dev/redis-process.js';
import { startDemo, type DemoWorkload } from './demo-workload.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const env: Record<string, string | undefined> = { SLUICE_DEMO: '1', ...process.env };

let redis: RedisServer | undefined;
let server: SluiceServer | undefined;
let demo: DemoWorkload | undefined;
let stopping: Promise<void> | undefined;

async function embeddedRedis(): Promise<RedisServer> {
  const dir = env.SLUICE_DATA_DIR ?? join(root, '.data', 'redis');
  mkdirSync(dir, { recursive: true });
  const started = await RedisServer.start({
    persistence: 'aof-everysec',
    dir,
    port: await freePort(),
    detached: true,
  });
  // Detached from the terminal's Ctrl-C, it must still not outlive this process however it ends.
  process.on('exit', () => void started.kill9());
  return started;
}

/**
 * Binds and releases `host:port` to learn the port (for 0) and to fail before anything is
 * printed when it is taken, so that the first line can be the URL.
 */
function probePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = netServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new ConfigError([
              `port ${port} on ${host} is already in use (set PORT to another port)`,
            ])
          : err,
      ),
    );
    probe.listen(port, host, () => {
      const addr = probe.address();
      probe.close(() => resolve(typeof addr === 'object' && addr ? addr.port : port));
    });
  });
}

async function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    server?.app.log.info('stopping: finishing in-flight jobs');
    await demo?.stop(5000).catch(() => {});
    await server?.close().catch(() => {});
    await redis?.shutdown();
    process.exit(code);
  })();
  return stopping;
}

function fail(err: unknown): never {
  const msg =
    err instanceof ConfigError ? err.problems.map((p) => `  - ${p}`).join('\n') : String(err);
  process.stderr.write(`sluice: cannot start:\n${msg}\n`);
  void redis?.kill9();
  process.exit(1);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      void redis?.kill9();
      process.exit(1);
    }
    void stop(0);
  });
}

try {
  let config = loadConfig({}, env);
  config = { ...config, port: await probePort(config.host, config.port) };
  if (!env.REDIS_URL) {
    redis = await embeddedRedis();
    config = { ...config, redisUrl: redis.url };
  }
  server = await createServer({ config });
  process.stdout.write(`Sluice is running: open ${urlFor(config.host, config.port)}\n`);
  const log = server.app.log;
  if (!config.secret)
    log.warn(`no SLUICE_SECRET set: binding to ${config.host} only; every caller is an admin`);
  await server.listen();
  log.info(
    redis
      ? `embedded redis-server on ${redis.url} (AOF on, data in ${redis.dir})`
      : `Redis at REDIS_URL (prefix ${config.prefix})`,
  );
  if (config.demo) {
    demo = await startDemo(server);
    log.info('demo workload running: queues emails, notes-sync, reports; topic demo-events');
  }
} catch (err) {
  await server?.close().catch(() => {});
  fail(err);
}
