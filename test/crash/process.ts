/** Spawning fixture processes (real Node processes running TypeScript through tsx). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Child {
  proc: ChildProcess;
  /** Resolves with the first message (so far or to come) for which `match` is true. */
  waitFor(
    match: (msg: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  kill9(): Promise<void>;
}

// `--import tsx` resolves from the working directory: run children from the project root.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function spawnFixture(
  file: string,
  env: Record<string, string>,
  onMessage?: (m: Record<string, unknown>) => void,
): Child {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url))],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const listeners = new Set<(m: Record<string, unknown>) => void>();
  const history: Record<string, unknown>[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    history.push(msg);
    onMessage?.(msg);
    for (const l of listeners) l(msg);
  });
  return {
    proc,
    waitFor(match, timeoutMs = 30_000) {
      const seen = history.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(l);
          reject(new Error(`fixture ${file} did not report in ${timeoutMs} ms`));
        }, timeoutMs);
        const l = (m: Record<string, unknown>) => {
          if (!match(m)) return;
          clearTimeout(timer);
          listeners.delete(l);
          resolve(m);
        };
        listeners.add(l);
      });
    },
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
  };
}
