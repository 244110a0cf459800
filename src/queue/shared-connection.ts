/**
 * The hidden option by which a {@link Queues} set (or a partitioned queue) hands its one command
 * connection to the Queue handles it makes: they use it and never close it.
 */
import type { CommandConnection } from '../redis/command-connection.js';

/** Option key: a command connection the handle borrows. */
export const SHARED_CONNECTION = Symbol('sluice.sharedConnection');

/** The borrowed connection in `options`, if any. */
export function sharedConnection(options: unknown): CommandConnection | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  return (options as { [SHARED_CONNECTION]?: CommandConnection })[SHARED_CONNECTION];
}
