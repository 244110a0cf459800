/**
 * Queues: many queue handles over one command connection. A `Queue` made alone opens a
 * connection of its own, which is right for an app with a few queues; a process that touches
 * hundreds (an admin server, a dashboard back end, a fan-out producer) would hold hundreds of
 * connections. Handles from one `Queues` share its connection, as topics share a `Streams`'.
 * A handle's event listening still takes its own blocking connection, when asked for.
 *
 * @example
 * ```ts
 * const queues = new Queues({ connection: 'redis://127.0.0.1:6379' });
 * await queues.get('emails').add('welcome', { to: 'a@example.com' });
 * await queues.get('sms').add('text', { body: 'hi' });
 * await queues.close(); // closes every handle and the one connection
 * ```
 */
import { EventEmitter } from 'node:events';
import { ClosedError } from '../errors.js';
import { CommandConnection, toConnectionRetry } from '../redis/command-connection.js';
import { validateName } from '../validate.js';
import { resolveQueueOptions } from './queue-options.js';
import { Queue, type QueueOptions } from './queue.js';
import { SHARED_CONNECTION } from './shared-connection.js';

/** Events of a {@link Queues} set: errors of the shared connection. */
export interface QueuesEvents {
  error: [err: Error];
}

export class Queues extends EventEmitter<QueuesEvents> {
  private readonly conn: CommandConnection;
  private readonly handles = new Map<string, Queue>();
  private closed = false;

  /** `options` apply to every handle (connection, prefix, limits…); may be just a URL. */
  constructor(private readonly options: QueueOptions | string = {}) {
    super();
    if (typeof options === 'string') this.options = options = { connection: options };
    resolveQueueOptions(options); // refuse bad options here, not at the first get()
    this.conn = new CommandConnection(
      options.connection,
      undefined,
      toConnectionRetry(options.connectionRetry, 'connectionRetry'),
      'queues',
      (err) => {
        if (this.listenerCount('error') > 0) this.emit('error', err);
      },
    );
  }

  /**
   * The handle for `name` (made on first use, then kept); typed per call. Close the set, not its
   * handles: a handle closed alone stays closed (its calls fail with `SLC_ERR_CLOSED`).
   */
  get<Data = unknown, Result = unknown>(name: string): Queue<Data, Result> {
    if (this.closed) throw new ClosedError('queues');
    let q = this.handles.get(validateName('queue', name));
    if (!q) {
      const o = this.options as QueueOptions;
      q = new Queue(name, { ...o, [SHARED_CONNECTION]: this.conn } as QueueOptions);
      this.handles.set(name, q);
    }
    return q as Queue<Data, Result>;
  }

  /** Names of the handles made so far. */
  names(): string[] {
    return [...this.handles.keys()];
  }

  /** Closes every handle, then the shared connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.handles.values()].map((q) => q.close()));
    this.handles.clear();
    await this.conn.close();
  }
}
