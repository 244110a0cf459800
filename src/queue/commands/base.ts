/**
 * The base of the queue script wrappers: the connection, the `call` of one script, and the key
 * lists several scripts share (in the order their `.lua` headers take them).
 */
import type { RedisClient } from '../../redis/connection.js';
import type { QueueKeys } from '../../redis/keys.js';
import { CommandConnection } from '../../redis/command-connection.js';
import { script, type PreparedScript, type ScriptCall } from '../../redis/scripts.js';
import { ConnectionError, SluiceError } from '../../errors.js';

/**
 * Runs script `name`. An error reply of Redis becomes `SLC_ERR_SCRIPT`, any other failure of
 * the client (a closed or lost link) `SLC_ERR_CONNECTION`; the original error is the `cause`.
 */
async function call(name: string, send: () => Promise<unknown>): Promise<unknown> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof Error && err.name === 'ReplyError')
      throw new SluiceError('SLC_ERR_SCRIPT', `script ${name} failed: ${message}`, { cause: err });
    throw new ConnectionError(`script ${name} failed: ${message}`, { cause: err });
  }
}

/** The KEYS every fetching script (fetch, complete, fail) starts with. */
export function fetchKeys(k: QueueKeys): string[] {
  return [k.meta, k.wait, k.prio, k.delayed, k.active, k.jobs, k.info, k.lease, k.marker];
}

/** The group keys, in the order every script that moves grouped jobs takes them (last). */
export function groupKeys(k: QueueKeys): string[] {
  return [k.gwait, k.gof, k.gready, k.glimited, k.gstate, k.gage];
}

/** The per-job extras (progress, logs, cancel marks; see lua/includes/extras.lua), in order. */
export function extraKeys(k: QueueKeys): string[] {
  return [k.progress, k.logs, k.cancel];
}

/** KEYS of `remove` and `cancel` (the same set). */
export function removalKeys(k: QueueKeys): string[] {
  return [
    k.wait,
    k.prio,
    k.delayed,
    k.completed,
    k.failed,
    k.jobs,
    k.info,
    k.results,
    k.lease,
    k.dedup,
    k.meta,
    k.tomb,
    k.entity,
    ...groupKeys(k),
    ...extraKeys(k),
    k.events,
  ];
}

/**
 * A connection and the keys of one queue: a {@link CommandConnection} (calls ride out a short
 * loss of Redis, then fail with `SLC_ERR_CONNECTION`), or a plain client (tests).
 */
export class CommandsBase {
  readonly client: RedisClient;

  constructor(
    private readonly conn: CommandConnection | RedisClient,
    readonly keys: QueueKeys,
  ) {
    this.client = conn instanceof CommandConnection ? conn.client : conn;
  }

  /** The call of script `name` on this connection (for the helper modules of the Queue). */
  script(name: string): ScriptCall {
    const conn = this.conn;
    if (conn instanceof CommandConnection) return (keys, args) => conn.script(name, keys, args);
    return (keys, args) => call(name, () => script(conn, name)(keys, args));
  }

  /** Plain commands on this connection, under its retry rule (and after a held batch). */
  run<T>(op: (client: RedisClient) => Promise<T>, what: string): Promise<T> {
    const conn = this.conn;
    return conn instanceof CommandConnection ? conn.run(op, what) : op(conn);
  }

  /** A call of a {@link PreparedScript} (KEYS fixed once) on this connection. */
  prepared(p: PreparedScript, args: readonly (string | number)[]): Promise<unknown> {
    const conn = this.conn;
    if (conn instanceof CommandConnection) return conn.prepared(p, args);
    return call(p.name, () => p.call(conn, args));
  }
}
