/**
 * Real redis-server processes for development and tests: each on a free port (or a chosen one)
 * in its own temp dir (or a chosen one), with a chosen persistence. A server can be `kill -9`-ed
 * and restarted on the same data dir. `npm start` runs its embedded Redis with this; the test
 * harness re-exports it. Never the machine's 6379, never a mock. Dev tooling: it does not import
 * the library.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export type Persistence = 'none' | 'aof-everysec' | 'aof-always';

export interface RedisServerOptions {
  persistence?: Persistence;
  /**
   * Run in a process group of its own, so a terminal's Ctrl-C reaches only the parent, which then
   * stops the server after its clients are done (the demo). Tests leave this off.
   */
  detached?: boolean;
  /** Extra `redis.conf` lines. */
  config?: string[];
  port?: number;
  dir?: string;
}

/** Throws a clear error when redis-server is not installed (tests never skip for lack of it). */
export function redisServerBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) {
    throw new Error(
      'redis-server not found on PATH. Run `npm test` (it installs it with apt), or `apt-get install redis-server`.',
    );
  }
  return path;
}

/** A free TCP port on 127.0.0.1 (and, for Cluster nodes, its bus port +10000 too). */
export async function freePort(withBus = false): Promise<number> {
  for (;;) {
    const port = await listenOnce(0);
    if (!withBus || port + 10000 > 65535) {
      if (!withBus) return port;
      continue;
    }
    try {
      await listenOnce(port + 10000);
      return port;
    } catch {
      // bus port taken: try another
    }
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const p = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(p));
    });
  });
}

export class RedisServer {
  readonly port: number;
  readonly dir: string;
  private proc: ChildProcess | undefined;
  private readonly conf: string;
  private readonly detached: boolean;

  private constructor(port: number, dir: string, conf: string, detached: boolean) {
    this.port = port;
    this.dir = dir;
    this.conf = conf;
    this.detached = detached;
  }

  /** Starts a server and waits until it answers PING. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const port = options.port ?? (await freePort());
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sluice-redis-'));
    const persistence = options.persistence ?? 'none';
    const lines = [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'save ""',
      'daemonize no',
      'loglevel warning',
      `logfile ${join(dir, 'redis.log')}`,
      `appendonly ${persistence === 'none' ? 'no' : 'yes'}`,
      ...(persistence === 'none'
        ? []
        : [`appendfsync ${persistence === 'aof-always' ? 'always' : 'everysec'}`]),
      ...(options.config ?? []),
    ];
    const conf = join(dir, 'redis.conf');
    writeFileSync(conf, lines.join('\n') + '\n');
    const server = new RedisServer(port, dir, conf, options.detached === true);
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  private async launch(): Promise<void> {
    const proc = spawn(redisServerBinary(), [this.conf], {
      stdio: 'ignore',
      detached: this.detached,
    });
    this.proc = proc;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null)
        throw new Error(`redis-server exited with ${proc.exitCode}; see ${this.dir}/redis.log`);
      const probe = new Redis(this.port, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => {});
      try {
        await probe.connect();
        // While loading the AOF Redis answers LOADING: wait until it is done.
        if ((await probe.ping()) === 'PONG') {
          probe.disconnect();
          return;
        }
      } catch {
        // not up yet
      }
      probe.disconnect();
      if (Date.now() > deadline)
        throw new Error(`redis-server on ${this.port} did not start in 10 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** SIGKILL: no shutdown save, no goodbye to clients. */
  async kill9(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  /** Starts the server again on the same port and data dir (after `kill9` or `stop`). */
  async restart(): Promise<void> {
    await this.kill9();
    await this.launch();
  }

  /** Stops the server gracefully (SIGTERM: Redis flushes its AOF) and keeps its data dir. */
  async shutdown(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }

  /** Stops the server and removes its data dir. */
  async stop(): Promise<void> {
    await this.kill9();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
