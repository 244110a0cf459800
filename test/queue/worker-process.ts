/**
 * Runs `fixtures/worker-process.ts` as a real child process (Node + tsx) and collects what it
 * reports over IPC. Every process started is SIGKILLed after the test if still alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { waitFor } from '../harness/context.js';
import type { FixtureConfig, FixtureMessage } from './fixtures/worker-process.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));
const started = new Set<WorkerProcess>();

afterEach(() => {
  for (const p of started) p.kill('SIGKILL');
  started.clear();
});

export class WorkerProcess {
  readonly messages: FixtureMessage[] = [];
  readonly exited: Promise<number | null>;
  private readonly proc: ChildProcess;
  private stderr = '';

  private constructor(readonly config: FixtureConfig) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      env: { ...process.env, SLUICE_FIXTURE: JSON.stringify(config) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.proc.on('message', (m) => this.messages.push(m as FixtureMessage));
    this.exited = new Promise((r) => this.proc.once('exit', (code) => r(code)));
    started.add(this);
  }

  /** Starts a worker process and waits until its Worker is constructed. */
  static async start(config: FixtureConfig): Promise<WorkerProcess> {
    const p = new WorkerProcess(config);
    await p.next((m) => m.ev === 'ready', 'ready', 20_000);
    return p;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** Ids of the jobs this process started, in order. */
  get started(): string[] {
    return this.messages.flatMap((m) => (m.ev === 'active' ? [m.id] : []));
  }

  /** Ids reported with event `ev`. */
  ids(ev: FixtureMessage['ev']): string[] {
    return this.messages.flatMap((m) => (m.ev === ev && 'id' in m ? [m.id] : []));
  }

  /** Waits for a message matching `pred` (already received ones count). */
  async next(
    pred: (m: FixtureMessage) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<FixtureMessage> {
    const found = await waitFor(
      () => {
        if (this.proc.exitCode !== null && !this.messages.some(pred))
          throw new Error(`worker process exited (${this.proc.exitCode}): ${this.stderr}`);
        return this.messages.find(pred);
      },
      `${this.config.label}: ${what}`,
      timeoutMs,
    );
    return found!;
  }

  send(msg: { cmd: 'finish'; id: string } | { cmd: 'close'; timeoutMs: number }): void {
    this.proc.send(msg);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
  }

  /** Closes the worker gracefully and waits for the process to exit. */
  async close(timeoutMs = 5_000): Promise<void> {
    this.send({ cmd: 'close', timeoutMs });
    await this.exited;
  }
}
