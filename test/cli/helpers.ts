/**
 * Shared helpers of the CLI suites: a real server (ServerConfig literal → createContext →
 * buildApp → listen on 127.0.0.1:0) over the harness Redis under a unique prefix; the CLI run
 * in-process over captured streams (`cli`), or as the real binary in a child process (`spawnCli`).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import { Queue, Streams, Worker } from '../../src/index.js';
import { buildApp } from '../../src/server/app.js';
import type { ServerConfig } from '../../src/server/config.js';
import { closeContext, createContext } from '../../src/server/context.js';
import { captureIo, type Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { redisUrl, uniquePrefix } from '../harness/context.js';

export interface CliServer {
  url: string;
  config: ServerConfig;
  /** A library Queue on the server's Redis and prefix (closed after the test). */
  queue(name: string): Queue;
  /** A Worker on the server's Redis and prefix (closed after the test). */
  worker(name: string, fn: (data: unknown) => Promise<unknown>): Worker;
  streams(): Streams;
  close(): Promise<void>;
}

/** Starts a server on a free port (with `secret`, auth is on). */
export async function startCliServer(secret?: string): Promise<CliServer> {
  const config: ServerConfig = {
    redisUrl: redisUrl(),
    prefix: uniquePrefix(),
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    ...(secret ? { secret } : {}),
  };
  const ctx = createContext(config);
  const app = await buildApp(ctx);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const closers: (() => Promise<unknown>)[] = [];
  const lib = { connection: config.redisUrl, prefix: config.prefix };
  let streams: Streams | undefined;
  return {
    url,
    config,
    queue(name) {
      const q = new Queue(name, lib);
      closers.push(() => q.close());
      return q;
    },
    worker(name, fn) {
      const w = new Worker(name, (job) => fn(job.data), lib);
      w.on('error', () => {});
      closers.push(() => w.close(0));
      return w;
    },
    streams() {
      if (!streams) {
        const opened = new Streams(lib);
        closers.push(() => opened.close());
        streams = opened;
      }
      return streams;
    },
    async close() {
      for (const c of closers.reverse()) await c();
      await app.close();
      await closeContext(ctx);
    },
  };
}

/** A fresh server per test. */
export function useCliServer(secret?: string): () => CliServer {
  let current: CliServer | undefined;
  beforeEach(async () => {
    current = await startCliServer(secret);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => current!;
}

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `sluice <argv>` in-process over captured streams. */
export async function cli(
  argv: string[],
  env: Record<string, string> = {},
  io: Partial<Omit<Io, 'stdout' | 'stderr'>> & { stdin?: string } = {},
): Promise<CliResult> {
  const cap = captureIo(io);
  const code = await main(argv, env, cap);
  return { code, out: cap.out(), err: cap.err() };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Starts the real binary (`node --import tsx src/cli/bin.ts`) with piped stdio. */
export function spawnCli(argv: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...argv], {
    cwd: ROOT,
    // Only what the child needs: no SLUICE_* leaks in from the developer's shell.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs the real binary to its end; `stdin` is written then closed. */
export function runCli(
  argv: string[],
  env: Record<string, string> = {},
  stdin = '',
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(argv, env);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    child.stdin.end(stdin);
  });
}
