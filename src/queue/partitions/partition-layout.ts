/**
 * Partition layout of a queue: how many partitions it has (stored once, at first use, in the
 * `partitions` hash of the registry slot) and which partition a job goes to. A job goes to the
 * partition of its group (so a group's order holds), else of its dedup key (so dedup holds),
 * else of its id: `fnv1a(key) mod N`. An automatic id is drawn so that it hashes to the job's
 * partition, so `getJob(id)` finds it with one read. See docs/operations.md#partitions.
 */
import { randomBytes } from 'node:crypto';
import { SluiceError, ValidationError } from '../../errors.js';
import type { RedisClient } from '../../redis/connection.js';
import { fnv1a, partitionCountKey } from '../../redis/keys.js';
import type { AddOptions } from '../options.js';
import type { SlotBudget } from '../worker/fetching/slot-budget.js';

/** Internal option key: makes a Queue or Worker handle one partition of a partitioned queue. */
export const PARTITION = Symbol('sluice.partition');

/** What the {@link PARTITION} option carries. */
export interface PartitionSlot {
  index: number;
  /** Shared by the inner workers of one partitioned worker (see slot-budget.ts). */
  budget?: SlotBudget;
}

/** Reads the internal partition option (symbol keys are invisible to option validation). */
export function partitionSlot(options: unknown): PartitionSlot | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  return (options as { [PARTITION]?: PartitionSlot })[PARTITION];
}

/**
 * The partition count of queue `name`: the stored one, checked against `wanted` (stored if none
 * is). Without `wanted`, 1 when none is stored.
 * @throws {@link ValidationError} `SLC_ERR_INVALID_OPTIONS` naming the stored count.
 */
export async function resolvePartitionCount(
  run: <T>(op: (c: RedisClient) => Promise<T>) => Promise<T>,
  prefix: string,
  name: string,
  wanted: number | undefined,
): Promise<number> {
  const key = partitionCountKey(prefix);
  if (wanted !== undefined) await run((c) => c.hsetnx(key, name, String(wanted)));
  const stored = await run((c) => c.hget(key, name));
  const count = stored === null ? 1 : Number(stored);
  if (!Number.isInteger(count) || count < 1)
    throw new SluiceError(
      'SLC_ERR_REDIS',
      `the partition count of queue ${name} in ${key} is ${JSON.stringify(stored)}, not a positive integer`,
    );
  if (wanted !== undefined && count !== wanted)
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `queue ${name} has ${count} partitions (stored at its first use), not ${wanted}: ` +
        `pass partitions: ${count}, or drain it and delete its entry (docs/operations.md#partitions)`,
    ]);
  return count;
}

/** The key that places a job: its group, else its dedup key, else its id (undefined: none). */
export function routingKey(opts: AddOptions | undefined): string | undefined {
  if (!opts) return undefined;
  if (typeof opts.group === 'string' && opts.group !== '') return `g:${opts.group}`;
  if (typeof opts.dedupKey === 'string' && opts.dedupKey !== '') return `d:${opts.dedupKey}`;
  return typeof opts.id === 'string' ? opts.id : undefined;
}

/** The partition (0…count-1) of a routing key or job id. */
export function partitionOf(key: string, count: number): number {
  return fnv1a(key) % count;
}

/**
 * A fresh id (never all digits) that hashes to `partition`: about `count` draws on average.
 * @example
 * ```ts
 * partitionOf(idFor(2, 8), 8) // 2
 * ```
 */
export function idFor(partition: number, count: number): string {
  for (;;) {
    const id = `p${randomBytes(9).toString('base64url')}`;
    if (partitionOf(id, count) === partition) return id;
  }
}
