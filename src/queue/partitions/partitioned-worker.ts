/**
 * Partition siblings: how a `Worker` with `partitions: N` works every partition, by composition.
 * The Worker itself works partition 0 and owns N-1 sibling single-partition Workers (hidden,
 * `autorun: false`) for partitions 1…N-1. Each has its own fetch loop, wake listener blocking on
 * that partition's marker list (blocking commands cannot span slots), heartbeat and lease
 * reaper; all share the owner's `concurrency` through one {@link SlotBudget}, which keeps the
 * partitions fair. Sibling events are relayed through the owner. Before anything starts, the
 * queue's stored partition count is checked. Costs 2 connections per partition (plus one).
 * See docs/operations.md#partitions.
 */
import { CommandConnection, toConnectionRetry } from '../../redis/command-connection.js';
import { DEFAULT_PREFIX } from '../../redis/keys.js';
import { toError } from '../../thrown.js';
import { PARTITION, resolvePartitionCount } from './partition-layout.js';
import type { SlotBudget } from '../worker/fetching/slot-budget.js';
import type { WorkerOptions } from '../worker-options.js';
import type { Processor, Worker } from '../worker.js';

/** The Worker class, passed in by worker.ts (so this module need not import it at run time). */
export type WorkerClass = new <D, R>(
  name: string,
  processor: Processor<D, R>,
  options: WorkerOptions,
) => Worker<D, R>;

/** Events relayed from the siblings as they come (`drained` once the owner is idle too). */
const RELAYED = [
  'active',
  'completed',
  'failed',
  'retrying',
  'limited',
  'stalled',
  'lease-lost',
  'error',
] as const;

type Emitter = { emit(e: string, ...a: unknown[]): boolean; readonly running: number };

/**
 * The sibling workers of a partitioned Worker (see the file notes).
 *
 * @example
 * ```ts
 * const worker = new Worker('orders', handle, { partitions: 8, concurrency: 32 });
 * ```
 */
export class PartitionSiblings {
  private readonly workers: Worker[];
  private readonly conn: CommandConnection;
  private checking: Promise<void> | undefined;
  /** The stored partition count agrees: the owner may start. */
  checked = false;

  constructor(
    WorkerOf: WorkerClass,
    private readonly name: string,
    processor: Processor<unknown, unknown>,
    private readonly options: WorkerOptions & { partitions: number },
    budget: SlotBudget,
    private readonly owner: Emitter,
  ) {
    this.workers = Array.from({ length: options.partitions - 1 }, (_, i) => {
      const slot = { index: i + 1, budget };
      const o = { ...options, partitions: undefined, autorun: false, [PARTITION]: slot };
      const w = new WorkerOf(name, processor, o);
      const relay = w as unknown as { on(e: string, f: (...a: unknown[]) => void): void };
      for (const e of RELAYED) relay.on(e, (...a) => owner.emit(e, ...a));
      relay.on('drained', () => {
        if (owner.running === 0) owner.emit('drained');
      });
      return w;
    });
    this.conn = new CommandConnection(
      options.connection,
      undefined,
      toConnectionRetry(options.connectionRetry, 'connectionRetry'),
      `worker ${name}`,
      (err) => owner.emit('error', err),
    );
  }

  /**
   * Checks the queue's stored partition count, then calls `start`; a different count is
   * reported as an `error` event (`SLC_ERR_INVALID_OPTIONS`) and nothing starts.
   */
  check(start: () => void): void {
    this.checking ??= resolvePartitionCount(
      (op) => this.conn.run(op),
      this.options.prefix ?? DEFAULT_PREFIX,
      this.name,
      this.options.partitions,
    ).then(
      () => {
        this.checked = true;
        start();
      },
      (err: unknown) => {
        this.checking = undefined;
        if ((this.owner as unknown as Worker).listenerCount('error') > 0)
          this.owner.emit('error', toError(err));
        else process.emitWarning(`sluice worker ${this.name}: ${toError(err).message}`);
      },
    );
  }

  /** Starts every sibling. */
  run(): void {
    for (const w of this.workers) w.run();
  }

  /** Jobs the siblings run now. */
  get running(): number {
    return this.workers.reduce((n, w) => n + w.running, 0);
  }

  /** Closes every sibling (as `Worker.close`, same timeout) and the check connection. */
  async close(timeoutMs: number): Promise<void> {
    await this.checking;
    await Promise.all(this.workers.map((w) => w.close(timeoutMs)));
    await this.conn.close();
  }
}
