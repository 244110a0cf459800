/**
 * `npm start` as a real child process (`tsx scripts/start.ts`, which is what the script runs):
 * the first line is the URL, the server is ready on it with its own redis-server, and SIGINT
 * stops everything it started — no redis-server survives. A taken port is said plainly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { freePort } from '../harness/redis-server.js';
import { waitFor } from '../harness/context.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * Pids of live redis-server processes serving the data dir `dir` (redis-server renames its
 * process to `redis-server 127.0.0.1:<port>`, so it is found by the port its redis.conf sets).
 */
function redisPidsOf(dir: string): number[] {
  let conf: string;
  try {
    conf = readFileSync(join(dir, 'redis.conf'), 'utf8');
  } catch {
    return [];
  }
  const port = /^port (\d+)$/m.exec(conf)?.[1];
  return pidsMentioning(`redis-server 127.0.0.1:${port}`);
}

function pidsMentioning(text: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (cmd.includes(text) && state !== 'Z') out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function startChild(env: Record<string, string>): {
  child: ChildProcess;
  out: () => string;
  err: () => string;
} {
  const base = { ...process.env };
  delete base.REDIS_URL;
  delete base.SLUICE_SECRET;
  // One process (tsx as a loader): the tsx CLI would relay SIGINT and SIGKILL a child that has
  // not confirmed it within 30 ms, which a loaded machine misses.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: { ...base, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return { child, out: () => out, err: () => err };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) =>
    child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code)),
  );

it('prints the URL first, serves it with its own Redis, and stops it all on SIGINT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-start-'));
  dirs.push(dir);
  const port = await freePort();
  const { child, out } = startChild({ PORT: String(port), SLUICE_DATA_DIR: dir });
  try {
    await waitFor(() => out().split('\n').length > 2, 'the first two lines', 20_000);
    const [first, second] = out().split('\n');
    expect(first).toBe(`Sluice is running: open http://127.0.0.1:${port}`);
    // The first log line says why it is on loopback.
    expect(JSON.parse(second!)).toMatchObject({
      level: 40,
      msg: expect.stringContaining('no SLUICE_SECRET'),
    });
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok,
      'ready',
      20_000,
    );
    const redis = redisPidsOf(dir);
    expect(redis).toHaveLength(1);
    const aof = readFileSync(join(dir, 'redis.conf'), 'utf8');
    expect(aof).toContain('appendonly yes');

    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
    expect(redisPidsOf(dir)).toEqual([]);
  } finally {
    child.kill('SIGKILL');
  }
});

it('says so when the port is taken, and leaves no Redis behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-start-'));
  dirs.push(dir);
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const { child, err } = startChild({ PORT: String(port), SLUICE_DATA_DIR: dir });
    expect(await exited(child)).toBe(1);
    expect(err()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(redisPidsOf(dir)).toEqual([]);
  } finally {
    blocker.close();
  }
});
