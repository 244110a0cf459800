/** Starting `server-process.ts` as a child (real process, same Redis) and talking to it. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { ServerConfig } from '../../src/server/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A server in its own process. */
export interface ServerProcess {
  url: string;
  ws: string;
  proc: ChildProcess;
  /** Heap used after a full GC, and the gateway's counters. */
  mem(): Promise<{ heapUsed: number; stats: Record<string, number> }>;
  close(): Promise<void>;
}

/** Forks a server process over `config`; resolves once it listens. */
export async function forkServer(config: ServerConfig): Promise<ServerProcess> {
  const proc = fork(fileURLToPath(new URL('./server-process.ts', import.meta.url)), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, GATEWAY_TEST_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(proc);
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`server process exited (${code})`)));
    proc.on('message', (m: { type: string; port?: number }) => {
      if (m.type === 'listening') resolve(m.port!);
    });
  });
  let seq = 0;
  const ask = <T>(type: string): Promise<T> => {
    const id = ++seq;
    return new Promise<T>((resolve) => {
      const on = (m: { id?: number }) => {
        if (m.id !== id) return;
        proc.off('message', on);
        resolve(m as T);
      };
      proc.on('message', on);
      proc.send({ type, id });
    });
  };
  return {
    url: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/v1/ws`,
    proc,
    mem: () => ask('mem'),
    close: () =>
      new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.send({ type: 'close' });
      }),
  };
}
