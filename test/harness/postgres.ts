/**
 * Real PostgreSQL servers for tests: `initdb` in a temp dir, `postgres` on a free port on
 * 127.0.0.1 with its unix socket in that dir, trust authentication. PostgreSQL refuses to run as
 * root, so when we are root the data dir is handed to the unprivileged `postgres` user (the
 * Debian package creates it) and both commands run as that user. Never the machine's 5432,
 * never a mock; a missing binary fails with a clear message (tests never skip).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './redis-server.js';

const BIN_DIRS = [
  '/usr/lib/postgresql/17/bin',
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/15/bin',
];

/** The directory holding `initdb` and `postgres`, or a clear error. */
export function postgresBinDir(): string {
  const fromEnv = process.env.SLUICE_PG_BIN;
  for (const dir of fromEnv ? [fromEnv, ...BIN_DIRS] : BIN_DIRS)
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  throw new Error(
    'PostgreSQL binaries (initdb, postgres) not found in /usr/lib/postgresql/*/bin. Run `npm test` ' +
      '(it installs them with apt), or `apt-get install postgresql` (or set SLUICE_PG_BIN).',
  );
}

/** uid/gid to run PostgreSQL as: the `postgres` user when we are root, else ourselves. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const u = id('-u');
  const g = id('-g');
  if (u.status !== 0 || g.status !== 0)
    throw new Error('running as root and there is no `postgres` user to run PostgreSQL as');
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export interface PostgresOptions {
  /** `fsync` and `synchronous_commit` on (durable commits, as in production). Default off. */
  durable?: boolean;
}

export class PostgresServer {
  private proc: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly bin: string,
    private readonly user: { uid: number; gid: number } | undefined,
    private readonly settings: string[],
  ) {}

  /** initdb + start, and wait until it accepts connections. */
  static async start(options: PostgresOptions = {}): Promise<PostgresServer> {
    const bin = postgresBinDir();
    const user = runAs();
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pg-'));
    if (user) chownSync(dir, user.uid, user.gid);
    const data = join(dir, 'data');
    const init = spawnSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'sluice', '--auth=trust', '-E', 'UTF8', '--no-instructions'],
      { encoding: 'utf8', cwd: dir, ...user },
    );
    if (init.status !== 0)
      throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
    const port = await freePort();
    const off = options.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off'];
    const settings = [
      '-D', data, '-p', String(port), '-k', dir,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', ...off,
    ]; // prettier-ignore
    const server = new PostgresServer(port, dir, bin, user, settings);
    await server.launch();
    return server;
  }

  /** A connection string for `database` (default `postgres`) as the trusted superuser. */
  url(database = 'postgres'): string {
    return `postgres://sluice@127.0.0.1:${this.port}/${database}`;
  }

  private async launch(): Promise<void> {
    const proc = spawn(join(this.bin, 'postgres'), this.settings, {
      cwd: this.dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      ...this.user,
    });
    let log = '';
    proc.stderr!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    this.proc = proc;
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`postgres exited with ${proc.exitCode}: ${log}`);
      const probe = new pg.Client({ connectionString: this.url() });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.query('SELECT 1');
        await probe.end();
        return;
      } catch {
        await probe.end().catch(() => {});
      }
      if (Date.now() > deadline) throw new Error(`postgres did not start in 20 s: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A fresh database on this server (each test file, or test, takes its own). */
  async createDatabase(name: string): Promise<string> {
    const c = new pg.Client({ connectionString: this.url() });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE "${name}"`);
    } finally {
      await c.end();
    }
    return this.url(name);
  }

  /** Stops the server (immediate shutdown) and removes its data dir. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGQUIT'); // immediate shutdown: no checkpoint, the dir is thrown away anyway
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
