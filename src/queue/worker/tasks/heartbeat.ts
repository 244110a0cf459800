/**
 * Heartbeat: while handlers run, renews the leases of every job the worker holds in one script
 * call, and reports the jobs whose lease was lost (taken over after an expiry) and those that
 * were cancelled (a fallback for a cancel whose channel message this worker missed).
 */
import type { QueueCommands } from '../../commands/commands.js';
import { PeriodicTask } from '../../../periodic.js';

export class Heartbeat extends PeriodicTask {
  constructor(
    commands: QueueCommands,
    leaseMs: number,
    intervalMs: number,
    held: () => { id: string; token: string }[],
    onLost: (id: string) => void,
    onError: (err: unknown) => void,
    onCancelled: (id: string) => void = () => {},
  ) {
    super(
      intervalMs,
      async () => {
        const leases = held();
        if (leases.length === 0) return;
        const { lost, cancelled } = await commands.extend(leases, leaseMs);
        for (const id of lost) onLost(id);
        for (const id of cancelled) onCancelled(id);
      },
      onError,
    );
  }
}
