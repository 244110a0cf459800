/**
 * FlowRelay: moves finished flow children's outcomes from their queue's outbox (`flowout`, in
 * the child's slot) to their parents (`flow_deliver`, in the parent's slot), then acknowledges
 * them (XDEL). Two slots, so two steps: a relay that dies between them leaves the message in
 * the outbox, and the next pass delivers it again, which `flow_deliver` counts once (it keeps
 * the children already reported). Every Worker runs one for its own queue; a standalone relay
 * serves queues that have children but no worker in this process. See docs/guarantees.md.
 */
import { CommandConnection, checkHandleOptions } from '../../redis/command-connection.js';
import { DEFAULT_PREFIX, queueKeys, type QueueKeys } from '../../redis/keys.js';
import { PeriodicTask } from '../../periodic.js';
import {
  MAX_INTERVAL_MS,
  functionProblem,
  intProblem,
  knownKeys,
  validateName,
} from '../../validate.js';
import type { QueueBaseOptions } from '../queue.js';

/** Messages read per outbox read (a backlog drains over several reads in one pass). */
const READ_COUNT = 100;

/** Keys of `flow_deliver`, in its KEYS order. */
export function deliverKeys(k: QueueKeys): string[] {
  return [
    k.meta,
    k.wait,
    k.prio,
    k.jobs,
    k.info,
    k.marker,
    k.events,
    k.wchild,
    k.failed,
    k.metrics,
    k.parents,
    k.flowout,
  ];
}

/**
 * One pass over the outbox of `queue`: delivers every message to its parent's queue and
 * acknowledges it. Returns how many messages were taken.
 */
export async function relayOutbox(
  conn: CommandConnection,
  prefix: string,
  queue: string,
): Promise<number> {
  const outbox = queueKeys(prefix, queue).flowout;
  let taken = 0;
  for (;;) {
    const entries = await conn.run((c) => c.xrange(outbox, '-', '+', 'COUNT', READ_COUNT));
    if (entries.length === 0) return taken;
    // per parent queue: the script's ARGV (child ref, parent id, status, payload per message)
    const byQueue = new Map<string, string[]>();
    for (const [, fields] of entries) {
      const f = fieldsOf(fields);
      const ref = parseRef(f.p);
      if (!ref) continue; // unreadable: acknowledged below, never blocks the outbox
      let args = byQueue.get(ref[0]);
      if (!args) byQueue.set(ref[0], (args = []));
      args.push(`${queue}|${f.c ?? ''}`, ref[1], f.s ?? 'failed', f.r ?? '');
    }
    for (const [parentQueue, args] of byQueue) {
      await conn.script('flow_deliver', deliverKeys(queueKeys(prefix, parentQueue)), [
        args.length / 4,
        ...args,
      ]);
    }
    await conn.run((c) => c.xdel(outbox, ...entries.map(([id]) => id)));
    taken += entries.length;
    if (entries.length < READ_COUNT) return taken;
  }
}

function fieldsOf(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

function parseRef(raw: string | undefined): [string, string] | undefined {
  try {
    const ref = JSON.parse(raw ?? '') as unknown;
    if (Array.isArray(ref) && typeof ref[0] === 'string' && typeof ref[1] === 'string')
      return [ref[0], ref[1]];
  } catch {
    // falls through
  }
  return undefined;
}

/** @internal The relay as a background loop on a connection someone else owns (the Worker's). */
export class FlowRelayTask extends PeriodicTask {
  private started = false;

  constructor(
    private readonly conn: CommandConnection,
    prefix: string,
    queues: readonly string[],
    intervalMs: number,
    onError: (err: unknown) => void,
  ) {
    super(
      intervalMs,
      async () => {
        for (const q of queues) await relayOutbox(conn, prefix, q);
      },
      onError,
    );
  }

  override start(): void {
    this.started = true;
    super.start();
  }

  /**
   * Stops after one last pass (if it ran and Redis is reachable now), so outcomes recorded just
   * before shutdown go out at once rather than with the next relay of the queue.
   */
  override async stop(): Promise<void> {
    await super.stop();
    if (this.started && this.conn.client.status === 'ready') await this.runNow();
  }
}

const FLOW_RELAY_KEYS = knownKeys([
  'connection',
  'prefix',
  'connectionRetry',
  'intervalMs',
  'onError',
]);

/** Options of a standalone {@link FlowRelay}. */
export interface FlowRelayOptions extends QueueBaseOptions {
  /** How often it reads the outboxes; default 200 ms. */
  intervalMs?: number;
  /** Called with errors of a pass (the next pass retries); default: ignored. */
  onError?: (err: unknown) => void;
}

/**
 * A standalone relay for the outboxes of `queues` (the queues where flow children run). Every
 * Worker already relays its own queue; run this where children's queues have no worker of yours
 * alive, e.g. to finish delivering after all workers of a queue stopped.
 * @example
 * ```ts
 * const relay = new FlowRelay(['resize', 'upload'], { connection: 'redis://127.0.0.1:6379' });
 * relay.start();
 * // … later
 * await relay.stop();
 * ```
 */
export class FlowRelay {
  private readonly conn: CommandConnection;
  private readonly task: FlowRelayTask;

  constructor(queues: string | readonly string[], options: FlowRelayOptions = {}) {
    const { retry } = checkHandleOptions(options, 'FlowRelay options', FLOW_RELAY_KEYS, (o) => [
      intProblem('intervalMs', o.intervalMs, 1, MAX_INTERVAL_MS),
      functionProblem('onError', o.onError),
    ]);
    const names = (typeof queues === 'string' ? [queues] : [...queues]).map((q) =>
      validateName('queue', q),
    );
    const onError = options.onError ?? (() => {});
    this.conn = new CommandConnection(options.connection, undefined, retry, 'flow relay', onError);
    this.task = new FlowRelayTask(
      this.conn,
      options.prefix ?? DEFAULT_PREFIX,
      names,
      options.intervalMs ?? 200,
      onError,
    );
  }

  start(): void {
    this.task.start();
  }

  /** Runs one pass now (resolves when it is done). */
  runNow(): Promise<void> {
    return this.task.runNow();
  }

  /** Stops after one last pass and closes the connection. */
  async stop(): Promise<void> {
    await this.task.stop();
    await this.conn.close();
  }
}
