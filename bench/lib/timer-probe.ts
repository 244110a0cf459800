/**
 * A bare timer beside a run: a child process that does nothing but wait on 2 ms timers, and how
 * late each one fired. It is the machine's own floor for "start at a given time" under the load
 * of that moment: no queue's worker can start a job sooner after its due time than its process's
 * timer wakes it, and on a busy 2-core machine the scheduler, not the queue, sets the p99 of that
 * wake-up (an idle one measured p99 ~1 ms, during a delayed burst 3.5–4 ms: see bench/README.md).
 *
 * The child is plain Node (no tsx, no imports), so it starts in a few tens of ms and allocates
 * almost nothing: what it measures is the scheduler and the timer, not its own garbage.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const PERIOD_MS = 2;

const CHILD = `
const mono = () => Number(process.hrtime.bigint()) / 1e6;
const late = [];
let timer;
const tick = () => {
  const due = mono() + ${PERIOD_MS};
  timer = setTimeout(() => { late.push(mono() - due); tick(); }, ${PERIOD_MS});
};
process.on('message', () => {
  clearTimeout(timer);
  process.send(late, () => process.exit(0));
});
process.send('ready', tick);
`;

export class TimerProbe {
  private constructor(private readonly proc: ChildProcess) {}

  /** Starts the probe; resolves once its first timer is armed. */
  static start(): Promise<TimerProbe> {
    const proc = spawn(process.execPath, ['-e', CHILD], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`timer probe exited (${code}) at start`)));
      proc.once('message', () => resolve(new TimerProbe(proc)));
    });
  }

  /** Stops the probe: how late each timer fired, ms. */
  stop(): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.proc.removeAllListeners('exit');
      this.proc.once('message', (late) => resolve(late as number[]));
      this.proc.once('exit', (code) => reject(new Error(`timer probe exited (${code})`)));
      this.proc.send('stop');
    });
  }

  /** Kills the probe (after a failure). */
  kill(): void {
    this.proc.removeAllListeners('exit');
    this.proc.kill('SIGKILL');
  }
}
