/** Starting agents (`bench/agent.ts`) as child processes, and talking to them. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { AgentMessage, AgentResult, AgentTask, ParentMessage } from './protocol.js';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = join(BENCH_DIR, '..');
const AGENT = join(BENCH_DIR, 'agent.ts');

/** A running agent: `ready` once connected; `go()` starts it; `result` settles when it is done. */
export class Agent {
  readonly proc: ChildProcess;
  readonly ready: Promise<void>;
  readonly result: Promise<AgentResult>;
  private readonly exited: Promise<void>;

  constructor(task: AgentTask, opts: { cpuProfileDir?: string; profileName?: string } = {}) {
    const env: NodeJS.ProcessEnv = { ...process.env, BENCH_TASK: JSON.stringify(task) };
    if (opts.cpuProfileDir)
      env.BENCH_CPU_PROFILE = join(
        opts.cpuProfileDir,
        `${opts.profileName ?? task.kind}.cpuprofile`,
      );
    this.proc = fork(AGENT, [], {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx'],
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const what = `${task.kind} agent (${task.contender})`;
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
    const failed = new Promise<never>((_, reject) => {
      this.proc.on('message', (m: AgentMessage) => {
        if (m.type === 'error') reject(new Error(`${what}: ${m.message}`));
      });
      this.proc.once('exit', (code, signal) =>
        reject(new Error(`${what} exited (${signal ?? code}) before finishing`)),
      );
    });
    failed.catch(() => {});
    const on = <T>(type: AgentMessage['type'], pick: (m: AgentMessage) => T) =>
      Promise.race([
        new Promise<T>((resolve) =>
          this.proc.on('message', (m: AgentMessage) => {
            if (m.type === type) resolve(pick(m));
          }),
        ),
        failed,
      ]);
    this.ready = on('ready', () => undefined);
    this.result = on('result', (m) => (m.type === 'result' ? m.result : (undefined as never)));
    this.ready.catch(() => {});
    this.result.catch(() => {});
  }

  go(): void {
    const msg: ParentMessage = { type: 'go' };
    this.proc.send(msg);
  }

  /** Waits for the agent to exit (it does after its result); kills it after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills the agent at once (after a failure or a timeout). */
  async kill(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/** Rejects after `ms` with a message naming `what`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
