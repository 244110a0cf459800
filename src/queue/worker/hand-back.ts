/**
 * Giving back to the queue the jobs a worker holds a lease of, without counting an attempt or a
 * stall (`release`: the head of waiting, a grouped job to its old place in its group): jobs held
 * by the prefetch, a batch still being formed, and jobs still running when a close times out.
 */
import { SluiceError } from '../../errors.js';
import type { QueueCommands } from '../commands/commands.js';
import { abortRunning } from './job-context.js';
import type { Prefetch } from './fetching/prefetch.js';
import type { Running } from './types.js';

/** What giving back needs of the worker. */
export interface HandBackHost<Data, Result> {
  readonly commands: QueueCommands;
  /** The worker's jobs in hand, by id. */
  readonly inFlight: Map<string, Running<Data, Result>>;
  readonly prefetch: Prefetch<Running<Data, Result>>;
  /** The command connection is closed: nothing can be given back (leases expire instead). */
  isEnded(): boolean;
  reportError(err: unknown): void;
  pump(): void;
}

export class HandBack<Data, Result> {
  constructor(private readonly host: HandBackHost<Data, Result>) {}

  /**
   * Held jobs go back in their order (the worker is closing, one was held too long, or a
   * `RateLimitError` holds the queue back).
   */
  async held(held: Running<Data, Result>[]): Promise<void> {
    const h = this.host;
    // a held job whose lease was lost is only forgotten (it is not ours to give back)
    for (const r of held) if (h.inFlight.get(r.job.id) === r) h.inFlight.delete(r.job.id);
    const back = held.filter((r) => !r.released);
    if (back.length > 0) {
      for (const r of back) r.released = true;
      try {
        await this.release(back);
      } catch (err) {
        h.reportError(err);
        // Not given back (Redis unreachable): still ours, renewed and held again (tried again,
        // or started), never left to expire into a stall. A closed connection cannot renew:
        // those come back by lease expiry.
        if (!h.isEnded())
          for (const r of back) {
            r.released = false;
            h.inFlight.set(r.job.id, r);
            h.prefetch.hold(r);
          }
      }
    }
    h.pump();
  }

  /** Jobs collected for a batch that has not started go back at once on close. */
  async collected(collected: Running<Data, Result>[]): Promise<void> {
    if (collected.length === 0) return;
    for (const r of collected) {
      r.released = true;
      this.host.inFlight.delete(r.job.id);
    }
    await this.release(collected).catch((e) => this.host.reportError(e));
  }

  /**
   * A close that timed out: the jobs still running are taken from their handlers (the signal
   * fires; their outcome is not recorded) and go back.
   */
  async running(): Promise<void> {
    const left = [...this.host.inFlight.values()].filter((r) => !r.released);
    for (const r of left) {
      r.released = true;
      const reason = new SluiceError('SLC_ERR_CLOSED', 'worker closed; job released');
      abortRunning(r, reason);
      r.batch?.noteReleased(reason);
    }
    if (left.length) await this.release(left).catch((e) => this.host.reportError(e));
  }

  /** `release` puts each at the head: the last first, so the first ends up in front. */
  private release(jobs: Running<Data, Result>[]): Promise<number> {
    const leases = [];
    for (let i = jobs.length - 1; i >= 0; i--)
      leases.push({ id: jobs[i]!.job.id, token: jobs[i]!.token });
    return this.host.commands.release(leases);
  }
}
