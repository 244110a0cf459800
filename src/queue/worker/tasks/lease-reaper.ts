/**
 * Lease reaper: finds jobs whose lease expired (their worker died or hung), returns them to
 * waiting as stalls, and hands the ones that stalled more than `maxStalls` times to `onTakenOver`
 * (under a fresh lease), which records them as failed attempts through the retry policy.
 */
import type { LeasedJob, QueueCommands } from '../../commands/commands.js';
import { PeriodicTask } from '../../../periodic.js';

export class LeaseReaper extends PeriodicTask {
  constructor(
    commands: QueueCommands,
    opts: { maxStalls: number; leaseMs: number; intervalMs: number; tokenBase: () => string },
    onStalled: (id: string) => void,
    onTakenOver: (job: LeasedJob) => void,
    onError: (err: unknown) => void,
  ) {
    super(
      opts.intervalMs,
      async () => {
        // Bounded per call; loop while a full batch came back.
        for (;;) {
          const { requeued, takenOver } = await commands.reap(
            opts.maxStalls,
            opts.leaseMs,
            opts.tokenBase(),
            100,
          );
          requeued.forEach(onStalled);
          takenOver.forEach(onTakenOver);
          if (requeued.length + takenOver.length < 100) return;
        }
      },
      onError,
    );
  }
}
