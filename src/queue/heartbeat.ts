/**
 * Heartbeat: while handlers run, renews the leases of every job the worker holds in one script
 * call, and reports the jobs whose lease was lost (taken over after an expiry).
 */
import type { QueueCommands } from './commands.js';
import { PeriodicTask } from '../periodic.js';

export class Heartbeat extends PeriodicTask {
  constructor(
    commands: QueueCommands,
    leaseMs: number,
    intervalMs: number,
    held: () => { id: string; token: string }[],
    onLost: (id: string) => void,
    onError: (err: unknown) => void,
  ) {
    super(
      intervalMs,
      async () => {
        const leases = held();
        if (leases.length === 0) return;
        for (const id of await commands.extend(leases, leaseMs)) onLost(id);
      },
      onError,
    );
  }
}
