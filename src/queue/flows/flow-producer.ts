/**
 * FlowProducer: adds a tree of jobs (a flow) whose parents run after their children, which may
 * live in other queues (other slots on a Cluster). Each level is added top-down, one `flow_add`
 * call per queue: a parent first, in `waiting-children` with its pending count, then its
 * children, each carrying a reference to it. Children report to parents through the outbox of
 * their own queue (see `FlowRelay` and docs/guarantees.md, "Flows").
 *
 * @example
 * ```ts
 * const flows = new FlowProducer({ connection: 'redis://127.0.0.1:6379' });
 * const tree = await flows.add({
 *   queue: 'report', name: 'monthly', data: { month: '2026-01' },
 *   children: [
 *     { queue: 'fetch', name: 'sales', data: { source: 'sales' } },
 *     { queue: 'fetch-eu', name: 'stock', data: { source: 'stock' } },
 *   ],
 * });
 * console.log(tree.id, tree.children?.map((c) => c.id));
 * ```
 */
import { randomUUID } from 'node:crypto';
import { ClosedError, ValidationError } from '../../errors.js';
import { CommandConnection, checkHandleOptions } from '../../redis/command-connection.js';
import { DEFAULT_PREFIX, queueKeys, SCHEMA_VERSION } from '../../redis/keys.js';
import { RedisClock, timeSampler } from '../../redis/clock.js';
import { NameRegistration } from '../../registry.js';
import { MAX_BYTES, intProblem, knownKeys, validateName } from '../../validate.js';
import { toAddSpec, type AddOptions } from '../options.js';
import type { QueueBaseOptions } from '../queue.js';

const FLOW_PRODUCER_KEYS = knownKeys([
  'connection',
  'prefix',
  'maxPayloadBytes',
  'connectionRetry',
]);

/** Levels a flow may have below its root. */
const MAX_FLOW_DEPTH = 100;

/** Options of one job of a flow: those of `add` that a flow job may have. */
export type FlowJobOptions = Pick<
  AddOptions,
  'id' | 'priority' | 'maxAttempts' | 'backoff' | 'meta'
>;

/** One job of a flow, with the children it waits for. */
export interface FlowJob {
  queue: string;
  name: string;
  data?: unknown;
  opts?: FlowJobOptions;
  /**
   * What a child that failed for good does to this job: `'fail'` (default) fails it at once
   * (reason `child <queue>|<id> failed: …`), `'ignore'` counts the child as done (its error is
   * in `childResults()`).
   */
  onChildFailure?: 'fail' | 'ignore';
  children?: FlowJob[];
}

/** What `add` returns: the ids of the tree, in its shape. */
export interface FlowNode {
  queue: string;
  id: string;
  /** False when a job with that id already existed (a repeated add). */
  created: boolean;
  children?: FlowNode[];
}

export interface FlowProducerOptions extends QueueBaseOptions {
  /** Largest accepted payload of one job, in bytes of JSON; default 512 KiB. */
  maxPayloadBytes?: number;
}

/** A validated job, ready to send. */
interface Planned {
  queue: string;
  id: string;
  priority: number;
  body: string;
  parent: string;
  pending: number;
  policy: string;
  node: FlowNode;
  children: Planned[];
}

export class FlowProducer {
  readonly prefix: string;
  private readonly conn: CommandConnection;
  private readonly clock: RedisClock;
  private readonly maxPayloadBytes: number;
  private readonly registration: NameRegistration;
  private closed = false;

  constructor(options: FlowProducerOptions | string = {}) {
    if (typeof options === 'string') options = { connection: options };
    const { o, retry } = checkHandleOptions(
      options,
      'FlowProducer options',
      FLOW_PRODUCER_KEYS,
      (o) => [intProblem('maxPayloadBytes', o.maxPayloadBytes, 1, MAX_BYTES)],
    );
    this.prefix = o.prefix ?? DEFAULT_PREFIX;
    this.maxPayloadBytes = o.maxPayloadBytes ?? 512 * 1024;
    this.conn = new CommandConnection(o.connection, undefined, retry, 'flow producer');
    this.clock = new RedisClock(timeSampler(this.conn));
    this.registration = new NameRegistration((key, n) => this.conn.run((c) => c.sadd(key, n)));
  }

  /**
   * Adds a flow. The whole tree is validated before anything is sent. Not atomic across queues:
   * if this call fails half-way, repeat it with the same ids (give `opts.id` to every job) — each
   * step is idempotent by id, and the repeat adds what is missing.
   */
  async add(flow: FlowJob): Promise<FlowNode> {
    if (this.closed) throw new ClosedError('flow producer');
    const root = this.plan(flow, '', 'root', new Set());
    for (const q of new Set(collect(root).map((p) => p.queue)))
      await this.registration.ensure(this.prefix, 'queues', q);
    const now = await this.clock.now();
    // Top-down: a parent exists (waiting for its children) before any child can finish.
    for (let level = [root]; level.length > 0; level = level.flatMap((p) => p.children)) {
      const byQueue = new Map<string, Planned[]>();
      for (const p of level) byQueue.set(p.queue, [...(byQueue.get(p.queue) ?? []), p]);
      for (const [queue, jobs] of byQueue) await this.addLevel(queue, jobs, now);
    }
    return root.node;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.conn.close();
  }

  private async addLevel(queue: string, jobs: Planned[], now: number): Promise<void> {
    const k = queueKeys(this.prefix, queue);
    const args: (string | number)[] = [SCHEMA_VERSION, `#${now.toString(36)}`, jobs.length];
    for (const j of jobs) args.push(j.id, j.priority, j.body, j.parent, j.pending, j.policy);
    const keys = [k.meta, k.wait, k.prio, k.jobs, k.info, k.marker, k.events, k.wchild, k.parents];
    const reply = (await this.conn.script('flow_add', keys, args)) as number[];
    jobs.forEach((j, i) => (j.node.created = reply[i] === 1));
  }

  private plan(job: FlowJob, parent: string, path: string, ids: Set<string>, depth = 0): Planned {
    const problems: string[] = [];
    if (typeof job !== 'object' || job === null)
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [`${path} must be an object`]);
    // a tree deeper than this is a mistake (or a cycle): said so, not a stack overflow
    if (depth > MAX_FLOW_DEPTH)
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
        `a flow is at most ${MAX_FLOW_DEPTH} levels deep (a child that is its own ancestor?)`,
      ]);
    const queue = validateName('queue', job.queue);
    const spec = toAddSpec(job.name, job.data, job.opts, this.maxPayloadBytes);
    if (spec.delayMs > 0 || spec.dedupKey || spec.entity || spec.group)
      problems.push(`${path}: a flow job takes no delay, runAt, dedupKey, entity or group`);
    const policy = job.onChildFailure ?? 'fail';
    if (policy !== 'fail' && policy !== 'ignore')
      problems.push(`${path}.onChildFailure must be fail | ignore`);
    const kids = job.children ?? [];
    if (!Array.isArray(kids)) problems.push(`${path}.children must be an array`);
    const id = spec.id || randomUUID();
    if (ids.has(`${queue}|${id}`)) problems.push(`${path}: job ${queue}/${id} appears twice`);
    ids.add(`${queue}|${id}`);
    if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
    const node: FlowNode = { queue, id, created: false };
    const ref = JSON.stringify([queue, id]);
    // by index: a hole is a child missing (the parent would wait for it for ever), not one to skip
    const children: Planned[] = [];
    if (Array.isArray(kids))
      for (let i = 0; i < kids.length; i++)
        children.push(this.plan(kids[i]!, ref, `${path}.children[${i}]`, ids, depth + 1));
    if (children.length > 0) node.children = children.map((c) => c.node);
    return {
      queue,
      id,
      priority: spec.priority,
      body: spec.body,
      parent,
      pending: children.length,
      policy,
      node,
      children,
    };
  }
}

function collect(p: Planned): Planned[] {
  return [p, ...p.children.flatMap(collect)];
}
