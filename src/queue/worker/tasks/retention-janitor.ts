/**
 * Retention janitor: applies the worker's retention (by count and age) to the completed and failed
 * sets on a timer. The scripts that finish jobs trim as they go, but on a quiet queue nothing
 * finishes, so without this jobs past their age would stay for ever. Each pass is bounded: at
 * most `perCall` removals per script call and `perPass` per tick; a backlog drains over ticks.
 */
import type { QueueCommands, Retention } from '../../commands/commands.js';
import { PeriodicTask } from '../../../periodic.js';

/** Removals per script call: keeps each call short, so Redis is never blocked for long. */
export const JANITOR_PER_CALL = 100;
/** Removals per tick, at most. */
export const JANITOR_PER_PASS = 1000;

export class RetentionJanitor extends PeriodicTask {
  constructor(
    commands: QueueCommands,
    opts: { keepCompleted: Retention; keepFailed: Retention; intervalMs: number },
    onError: (err: unknown) => void,
  ) {
    super(
      opts.intervalMs,
      async () => {
        for (let done = 0; done < JANITOR_PER_PASS;) {
          const limit = Math.min(JANITOR_PER_CALL, JANITOR_PER_PASS - done);
          const removed = await commands.trimFinished(opts.keepCompleted, opts.keepFailed, limit);
          done += removed;
          if (removed < limit) return;
        }
      },
      onError,
    );
  }
}
