/**
 * Every Redis key Sluice uses is built here, and only here (a test pins each one).
 *
 * Layout: `<prefix>:{<queue>}:<part>`. The braces are the Redis Cluster hash tag, so every key
 * of one queue lives in one slot and one Lua script may touch them all. Per-job data lives in
 * fields of per-queue hashes, never in a key per job, so every key a script touches is declared
 * in KEYS (legal on Redis Cluster, managed clusters and Dragonfly). See `docs/keys.md`.
 */

/** Default key prefix. */
export const DEFAULT_PREFIX = 'sluice';

/** Version of the on-Redis data layout, stored in each queue's `meta` hash. */
export const SCHEMA_VERSION = 1;

/** The keys of one queue. */
export interface QueueKeys {
  /** hash: paused, schema version, id counter, totals, event-listener lease */
  meta: string;
  /** list: ids of waiting jobs of default priority (LPUSH in, RPOP out) */
  wait: string;
  /** zset: ids of waiting jobs of non-default priority, by (-priority, sequence) */
  prio: string;
  /** zset: ids of delayed jobs, by due time (ms, Redis clock) */
  delayed: string;
  /** zset: ids of active jobs, by lease deadline (ms, Redis clock) */
  active: string;
  /** zset: ids of completed jobs, by finish time (ms) */
  completed: string;
  /** zset: ids of failed (dead-lettered) jobs, by finish time (ms) */
  failed: string;
  /** hash: id → immutable job record (`<createdMs>|<json>`) */
  jobs: string;
  /** hash: id → mutable job state JSON (attempts, stalls, history), written on failure/stall */
  info: string;
  /** hash: id → lease token of the worker running it (only while active) */
  lease: string;
  /** hash: id → JSON return value of a completed job */
  results: string;
  /** hash: dedup key → id of the job that holds it */
  dedup: string;
  /** list: wake-up signals for workers blocked waiting for work */
  marker: string;
  /** hash: per-minute counters (`c:<minute>`, `f:<minute>`) for rates */
  metrics: string;
  /** stream: capped queue event log, written only while someone listens */
  events: string;
}

const QUEUE_PARTS = [
  'meta',
  'wait',
  'prio',
  'delayed',
  'active',
  'completed',
  'failed',
  'jobs',
  'info',
  'lease',
  'results',
  'dedup',
  'marker',
  'metrics',
  'events',
] as const satisfies readonly (keyof QueueKeys)[];

/**
 * Builds the keys of queue `name` under `prefix`.
 *
 * @example
 * ```ts
 * queueKeys('sluice', 'emails').wait // 'sluice:{emails}:wait'
 * ```
 */
export function queueKeys(prefix: string, name: string): QueueKeys {
  const base = `${prefix}:{${name}}:`;
  const keys = {} as QueueKeys;
  for (const part of QUEUE_PARTS) keys[part] = base + part;
  return keys;
}

/** Pattern matching every key of every queue under `prefix` (for SCAN-based discovery). */
export function queueMetaPattern(prefix: string): string {
  return `${prefix}:{*}:meta`;
}

/** Extracts the queue name from a `meta` key found by {@link queueMetaPattern}. */
export function queueNameFromMetaKey(prefix: string, key: string): string | undefined {
  const head = `${prefix}:{`;
  const tail = '}:meta';
  if (!key.startsWith(head) || !key.endsWith(tail)) return undefined;
  return key.slice(head.length, key.length - tail.length);
}
