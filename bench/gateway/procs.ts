/**
 * Child processes of the gateway bench: Node scripts (through tsx) with an IPC channel, started
 * through `sh` so the file-descriptor limit is raised to the hard limit first (10,000 sockets
 * need 10,000 descriptors), each killed when the run ends whatever happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** A child and a way to ask it something over IPC. */
export interface Child {
  proc: ChildProcess;
  /** Sends `{type}` (with an id) and resolves with its answer of the same type. */
  ask<T>(type: string, timeoutMs?: number): Promise<T>;
  /** Resolves with the first message of `type`. */
  next<T>(type: string, timeoutMs?: number): Promise<T>;
  kill(): void;
}

/** Starts `bench/gateway/<script>` with `args`; `nodeArgs` go to node (e.g. `--cpu-prof`). */
export function startChild(script: string, args: string[], nodeArgs: string[] = []): Child {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const proc = spawn(
    'sh',
    [
      '-c',
      'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"',
      'sh',
      process.execPath,
      '--import',
      'tsx',
      '--expose-gc',
      ...nodeArgs,
      file,
      ...args,
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  const next = <T>(type: string, timeoutMs = 120_000) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`${script}: no ${type} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onMsg = (m: { type?: string }) => m.type === type && done(undefined, m as T);
      const onExit = (code: number | null) =>
        done(new Error(`${script} exited (${code}) before ${type}`));
      function done(err?: Error, value?: T) {
        clearTimeout(timer);
        proc.off('message', onMsg);
        proc.off('exit', onExit);
        if (err) reject(err);
        else resolve(value!);
      }
      proc.on('message', onMsg);
      proc.once('exit', onExit);
    });
  return {
    proc,
    next,
    ask<T>(type: string, timeoutMs?: number) {
      const answer = next<T>(type, timeoutMs);
      proc.send({ type, id: 1 });
      return answer;
    },
    kill: () => proc.kill('SIGKILL'),
  };
}

/** Stops a child politely (`stop`), then for sure. */
export async function stopChild(c: Child): Promise<void> {
  if (c.proc.exitCode !== null) return;
  const exited = new Promise<void>((r) => c.proc.once('exit', () => r()));
  c.proc.send({ type: 'stop' });
  const timer = setTimeout(() => c.kill(), 5000);
  await exited;
  clearTimeout(timer);
}
