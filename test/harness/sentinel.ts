/**
 * A real Sentinel set-up for fail-over tests: a primary, one replica and three `redis-sentinel`
 * processes, each on a free port in its own temp dir. Sentinels declare the primary down after
 * 1 s (`down-after-milliseconds 1000`), so a `kill -9` of the primary is followed by a promotion
 * of the replica within a few seconds.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, RedisServer, type Persistence } from './redis-server.js';

/** The master name the sentinels monitor. */
export const MASTER_NAME = 'mymaster';

function sentinelBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-sentinel'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path)
    throw new Error(
      'redis-sentinel not found on PATH. Run `npm test` (scripts/ensure.sh installs it), or `apt-get install redis-sentinel`.',
    );
  return path;
}

class SentinelProcess {
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly proc: ChildProcess,
  ) {}

  static async start(primaryPort: number): Promise<SentinelProcess> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sluice-sentinel-'));
    const conf = join(dir, 'sentinel.conf');
    // Sentinel rewrites its config file as it learns the set-up, so it lives in the temp dir.
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        'daemonize no',
        `logfile ${join(dir, 'sentinel.log')}`,
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
        `sentinel failover-timeout ${MASTER_NAME} 5000`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
      ].join('\n') + '\n',
    );
    const proc = spawn(sentinelBinary(), [conf], { stdio: 'ignore' });
    const s = new SentinelProcess(port, dir, proc);
    await s.waitUp();
    return s;
  }

  private async waitUp(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.proc.exitCode !== null)
        throw new Error(`redis-sentinel exited with ${this.proc.exitCode}; see ${this.dir}`);
      const c = this.client();
      try {
        if ((await c.ping()) === 'PONG') return;
      } catch {
        // not up yet
      } finally {
        c.disconnect();
      }
      if (Date.now() > deadline) throw new Error(`sentinel on ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A plain client to this sentinel (no retries). */
  client(): Redis {
    const c = new Redis(this.port, '127.0.0.1', {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    c.on('error', () => {});
    return c;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class SentinelFixture {
  private constructor(
    /** [primary, replica] as started; after a fail-over the replica is the primary. */
    readonly servers: RedisServer[],
    private readonly sentinels: SentinelProcess[],
  ) {}

  /** Starts the primary, the replica (in sync) and three sentinels that agree on both. */
  static async start(persistence: Persistence = 'none'): Promise<SentinelFixture> {
    const primary = await RedisServer.start({ persistence });
    const replica = await RedisServer.start({
      persistence,
      config: [`replicaof 127.0.0.1 ${primary.port}`],
    });
    const sentinels: SentinelProcess[] = [];
    for (let i = 0; i < 3; i++) sentinels.push(await SentinelProcess.start(primary.port));
    const fixture = new SentinelFixture([primary, replica], sentinels);
    await fixture.waitReady(primary.port);
    return fixture;
  }

  /** What to give Sluice (ioredis Sentinel options): `{ sentinels, name }`. */
  get connection(): { sentinels: { host: string; port: number }[]; name: string } {
    return {
      sentinels: this.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      name: MASTER_NAME,
    };
  }

  /** The port of the primary as the sentinels see it now. */
  async primaryPort(): Promise<number> {
    const c = this.sentinels[0]!.client();
    try {
      const addr = (await c.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as string[];
      return Number(addr[1]);
    } finally {
      c.disconnect();
    }
  }

  /** The server process listening on `port`. */
  server(port: number): RedisServer {
    const s = this.servers.find((x) => x.port === port);
    if (!s) throw new Error(`no server on ${port}`);
    return s;
  }

  /**
   * Brings a dead server back as an empty replica of `primaryPort`, on its old port (the
   * sentinels know it by that). Not by restarting it as it was: a primary without persistence
   * that comes back empty as a primary may have the others sync from it and wipe the data set
   * (the hazard the Redis Sentinel docs warn of).
   */
  async rejoinAsReplica(port: number, primaryPort: number): Promise<void> {
    const i = this.servers.findIndex((x) => x.port === port);
    await this.servers[i]!.stop();
    // Not promotable until it has synced: a replica that never synced reports its link down
    // "since -1 s", which Sentinel counts as fresh, so a second fail-over (a loaded machine can
    // miss the 1 s down-after) would promote it empty and wipe the others (seen once in CI).
    this.servers[i] = await RedisServer.start({
      port,
      config: [`replicaof 127.0.0.1 ${primaryPort}`, 'replica-priority 0'],
    });
    const c = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0 });
    c.on('error', () => {});
    try {
      const deadline = Date.now() + 30_000;
      while (!((await c.info('replication')) as string).includes('master_link_status:up')) {
        if (Date.now() > deadline) throw new Error(`replica on ${port} did not sync in 30 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await c.config('SET', 'replica-priority', '100');
    } finally {
      c.disconnect();
    }
  }

  /** Fail-overs so far: Sentinel bumps the master's config epoch once per fail-over. */
  async failovers(): Promise<number> {
    const c = this.sentinels[0]!.client();
    try {
      const master = (await c.call('SENTINEL', 'master', MASTER_NAME)) as string[];
      return Number(master[master.indexOf('config-epoch') + 1]);
    } finally {
      c.disconnect();
    }
  }

  /** Waits until every sentinel names `port` as the primary and it answers as a master. */
  async waitPrimary(port: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const views = await Promise.all(
        this.sentinels.map(async (s) => {
          const c = s.client();
          try {
            const a = (await c.call(
              'SENTINEL',
              'get-master-addr-by-name',
              MASTER_NAME,
            )) as string[];
            return Number(a[1]);
          } catch {
            return -1;
          } finally {
            c.disconnect();
          }
        }),
      );
      if (views.every((p) => p === port) && (await this.role(port)) === 'master') return;
      if (Date.now() > deadline) throw new Error(`sentinels did not agree on ${port}: ${views}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async role(port: number): Promise<string> {
    const c = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => {});
    try {
      return String(((await c.call('ROLE')) as unknown[])[0]);
    } catch {
      return 'down';
    } finally {
      c.disconnect();
    }
  }

  /** Ready = quorum reachable, each sentinel knows the replica and the other two sentinels. */
  private async waitReady(primaryPort: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await Promise.all(
        this.sentinels.map(async (s) => {
          const c = s.client();
          try {
            const master = (await c.call('SENTINEL', 'master', MASTER_NAME)) as string[];
            const field = (f: string) => master[master.indexOf(f) + 1];
            return (
              Number(field('port')) === primaryPort &&
              Number(field('num-slaves')) >= 1 &&
              Number(field('num-other-sentinels')) >= 2
            );
          } catch {
            return false;
          } finally {
            c.disconnect();
          }
        }),
      );
      if (ok.every(Boolean) && (await this.replicaInSync())) return;
      if (Date.now() > deadline) throw new Error('sentinel set-up did not converge in 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async replicaInSync(): Promise<boolean> {
    const c = new Redis(this.servers[1]!.port, '127.0.0.1', { maxRetriesPerRequest: 0 });
    c.on('error', () => {});
    try {
      return ((await c.info('replication')) as string).includes('master_link_status:up');
    } finally {
      c.disconnect();
    }
  }

  async stop(): Promise<void> {
    await Promise.all([
      ...this.sentinels.map((s) => s.stop()),
      ...this.servers.map((s) => s.stop()),
    ]);
  }
}
