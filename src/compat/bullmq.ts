/**
 * Helpers for code that moves from BullMQ (see docs/migrating-from-bullmq.md).
 */
import { ValidationError } from '../errors.js';

/** BullMQ's largest priority (2^21). */
const BULLMQ_MAX_PRIORITY = 2_097_152;
/** Our lowest priority (see `PRIORITY` and `AddOptions.priority`). */
const LOWEST = -1000;

/**
 * Converts a BullMQ `priority` into ours, keeping BullMQ's run order. In BullMQ 5/6 a job
 * without a priority (`undefined` or `0`) runs before every prioritised job, and among those
 * 1 runs first, then 2, 3…; ours runs the higher number first. So `0`/`undefined` becomes our
 * `normal` (0) and `p` becomes `-p`: 1 → -1, 2 → -2, … 1000 → -1000. Priorities above 1,000
 * (BullMQ allows up to 2,097,152) all become -1000, our lowest: their order among themselves is
 * lost (FIFO within one priority). Throws `SLC_ERR_INVALID_OPTIONS` for a value BullMQ would
 * refuse (not an integer in [0, 2,097,152]).
 * @example
 * ```ts
 * import { fromBullMQPriority } from 'sluice';
 * // BullMQ: queue.add('paint', data, { priority: 5 })
 * await queue.add('paint', data, { priority: fromBullMQPriority(5) }); // -5
 * fromBullMQPriority(undefined); // 0 (normal)
 * ```
 */
export function fromBullMQPriority(priority: number | undefined): number {
  if (priority === undefined || priority === 0) return 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > BULLMQ_MAX_PRIORITY)
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `a BullMQ priority is an integer from 0 to ${BULLMQ_MAX_PRIORITY}, got ${String(priority)}`,
    ]);
  return Math.max(LOWEST, -priority);
}
