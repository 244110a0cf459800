/** Durable adds: an add resolves only once enough replicas confirm it (Redis `WAIT`). */
import { ReplicationError } from '../errors.js';
import type { CommandConnection } from '../redis/command-connection.js';

/** How many replicas must confirm an add, and for how long to wait for them. */
export interface DurableOptions {
  /** Replicas that must have the write (1–100). */
  replicas: number;
  /** Longest wait for them, ms (1 ms – 24 h); default 1,000. */
  timeoutMs?: number;
}

/**
 * With `durable`: `WAIT` on the connection the add went through. WAIT counts the replicas that
 * have every write of *this* connection, so a reconnect since the add (a new socket, perhaps a
 * new primary) voids the answer.
 */
export async function confirmReplicated(
  conn: CommandConnection,
  durable: Required<DurableOptions> | undefined,
  ids: string[],
): Promise<void> {
  const d = durable;
  if (!d) return;
  // Read right after the add's reply (no I/O in between): the socket that reply came on.
  const sentOn = conn.generation;
  const acked = Number(await conn.run((c) => c.call('WAIT', d.replicas, d.timeoutMs), 'WAIT'));
  if (conn.generation !== sentOn) throw new ReplicationError(ids, -1, d.replicas);
  if (acked < d.replicas) throw new ReplicationError(ids, acked, d.replicas);
}
