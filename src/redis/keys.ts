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
export const SCHEMA_VERSION = 2;

/** The keys of one queue. */
export interface QueueKeys {
  /** hash: paused, schema version, id counter, totals, event-listener lease, tombstone count */
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
  /**
   * hash: id → lease token of the worker running it (only while active), and the field
   * {@link LEASE_PAD_FIELD}
   */
  lease: string;
  /** hash: id → JSON return value of a completed job */
  results: string;
  /** hash: dedup key → id of the job that holds it (until that job's data is deleted) */
  dedup: string;
  /** list: wake-up signals for workers blocked waiting for work */
  marker: string;
  /** hash: per-minute counters (`c:<minute>`, `f:<minute>`) for rates */
  metrics: string;
  /** stream: capped queue event log, written only while someone listens */
  events: string;
  /** hash: id → tombstones of that id still in `wait` (removed jobs that fetch skips) */
  tomb: string;
  /**
   * zset (all scores 0, ordered by member): the per-entity index, one member
   * `<entity>|<seq, base 36, 11 chars>|<id>` per job added with `entity`
   */
  entity: string;
  /**
   * zset (all scores 0, ordered by member): grouped waiting jobs, member
   * `<group>\0<1000 - priority, 4 digits><seq, 16 digits><id>` (see `docs/groups.md`)
   */
  gwait: string;
  /** hash: id → `gwait` member of an unfinished grouped job (`<group>\0` while delayed) */
  gof: string;
  /** zset: groups that may run a job now (work waiting, a free slot, no limit), by turn */
  gready: string;
  /** zset: groups held back by a rate limit, by the time it lifts (ms, Redis clock) */
  glimited: string;
  /** hash: `a:<group>` → active jobs of the group, `r:<group>` → `<window start>:<count>` */
  gstate: string;
  /** zset: the `gwait` members again, scored by their seq (the oldest grouped waiting job first) */
  gage: string;
  /** hash: id → the last progress a handler reported (JSON); deleted with the job */
  progress: string;
  /** hash: id → the log lines a handler wrote (JSON array, the newest kept); deleted with the job */
  logs: string;
  /** hash: id → '1' while a cancel asked of an active job waits for its worker to act */
  cancel: string;
  /** Pub/Sub channel (not a key) on which `cancel` tells workers which active job to stop */
  cancelChannel: string;
  /** hash: schedule name → `<revision>|<spec JSON>` (see `docs/guarantees.md`, Schedulers) */
  sched: string;
  /** zset: schedule name → its pending tick (ms), whose job `sched:<name>:<tick>` is delayed */
  schednext: string;
  /** zset: ids of flow parents waiting for their children, by add time (ms, Redis clock) */
  wchild: string;
  /** hash: child id → its flow parent, JSON `[parentQueue, parentId]` (until the child finishes) */
  parents: string;
  /**
   * stream: the flow outbox — one message per finished child of this queue (`c` child id, `p`
   * parent ref, `s` completed | failed, `r` result JSON or error), until a FlowRelay delivers it
   */
  flowout: string;
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
  'tomb',
  'entity',
  'gwait',
  'gof',
  'gready',
  'glimited',
  'gstate',
  'gage',
  'progress',
  'logs',
  'cancel',
  'sched',
  'schednext',
  'wchild',
  'parents',
  'flowout',
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
  keys.cancelChannel = `${base}cancelled`;
  return keys;
}

/**
 * The Pub/Sub channel on which schedule changes of queue `name` are announced to running
 * schedulers (a channel, not a key: nothing is stored under it).
 *
 * @example
 * ```ts
 * scheduleChannel('sluice', 'emails') // 'sluice:{emails}:schedwake'
 * ```
 */
export function scheduleChannel(prefix: string, name: string): string {
  return `${prefix}:{${name}}:schedwake`;
}

/**
 * Builds the keys of partition `index` of a partitioned queue: the hash tag is `{<name>#<index>}`,
 * so each partition has a slot of its own (and Cluster spreads them over its shards). `#` is not
 * allowed in a queue name, so a partition's keys never meet a plain queue's.
 *
 * @example
 * ```ts
 * queuePartitionKeys('sluice', 'emails', 3).wait // 'sluice:{emails#3}:wait'
 * ```
 */
export function queuePartitionKeys(prefix: string, name: string, index: number): QueueKeys {
  return queueKeys(prefix, `${name}#${index}`);
}

/**
 * Hash of queue name → its partition count, written once at a partitioned queue's first use
 * (HSETNX) and compared on every later first use: `<prefix>:{registry}:partitions`.
 *
 * @example
 * ```ts
 * partitionCountKey('sluice') // 'sluice:{registry}:partitions'
 * ```
 */
export function partitionCountKey(prefix: string): string {
  return `${prefix}:{registry}:partitions`;
}

/**
 * FNV-1a (32-bit) of a string's UTF-8 bytes: the partition hash of queues and feeds, stable
 * across languages.
 *
 * @example
 * ```ts
 * fnv1a('conv:7') % 8 // the partition of topic conv:7 in an 8-partition feed
 * ```
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
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
  const name = key.slice(head.length, key.length - tail.length);
  // `<name>#<i>` is a partition of queue <name>, not a queue of its own.
  return name.includes('#') ? undefined : name;
}

/** The registry of names under one prefix (see `src/registry.ts`). */
export interface RegistryKeys {
  /** set: every queue name used under the prefix */
  queues: string;
  /** set: every durable topic name published to under the prefix */
  topics: string;
}

/**
 * Keys of the registry of names: `<prefix>:{registry}:<part>`. A slot of its own: written by
 * plain SADD before a queue's or topic's first write, never from inside a script.
 *
 * @example
 * ```ts
 * registryKeys('sluice').queues // 'sluice:{registry}:queues'
 * ```
 */
export function registryKeys(prefix: string): RegistryKeys {
  return { queues: `${prefix}:{registry}:queues`, topics: `${prefix}:{registry}:topics` };
}

// ---------------------------------------------------------------------------------------------
// streams
//
// A topic lives in one hash slot. A standalone topic is tagged by its own name:
//   `<prefix>:{s:<topic>}:<part>`
// A topic that feeds a fan-in feed is tagged by the feed partition it maps to, so the topic and
// that partition share a slot and one script can append to both:
//   `<prefix>:{f:<feed>:<partition>}:<part>:<topic>`
// and the feed partition itself is a topic with the same tag and no name suffix:
//   `<prefix>:{f:<feed>:<partition>}:<part>`
// Topic names may contain `:`, so it always comes last; group names may not, so a dead-letter
// key `…:dlq:<group>:<topic>` splits one way only. See `docs/streams.md`.

/** The keys (and live channel) of one topic. */
export interface TopicKeys {
  /** stream: the entries (field `d` = JSON data) */
  stream: string;
  /**
   * hash: `epoch`, `trimmed` (greatest id trimmed away), `g:<group>` (when the group's
   * consumers were last seen, ms), `glive` (the latest of those)
   */
  meta: string;
  /** hash: idempotency key → entry id */
  idem: string;
  /** zset: idempotency key → expiry (ms, Redis clock) */
  idemz: string;
  /** hash: `<group>:<entry id>` → last handler error of a pending entry */
  errors: string;
  /** Pub/Sub channel (not a key) that carries each publish to live readers */
  live: string;
  /** @internal key head (`<prefix>:{<tag>}:`), used by {@link deadLetterKey} */
  readonly head: string;
  /** @internal key tail (`''` or `:<topic>`), used by {@link deadLetterKey} */
  readonly tail: string;
}

const TOPIC_PARTS = ['stream', 'meta', 'idem', 'idemz', 'errors', 'live'] as const;

function buildTopicKeys(head: string, tail: string): TopicKeys {
  const keys = { head, tail } as TopicKeys;
  for (const part of TOPIC_PARTS)
    (keys as unknown as Record<string, string>)[part] = head + part + tail;
  return keys;
}

/**
 * Keys of a standalone topic (tagged by its own name).
 *
 * @example
 * ```ts
 * topicKeys('sluice', 'run:42').stream // 'sluice:{s:run:42}:stream'
 * ```
 */
export function topicKeys(prefix: string, topic: string): TopicKeys {
  return buildTopicKeys(`${prefix}:{s:${topic}}:`, '');
}

/**
 * Keys of a topic that feeds partition `partition` of feed `feed` (tagged by the partition).
 *
 * @example
 * ```ts
 * feedTopicKeys('sluice', 'chat', 3, 'conv:7').stream // 'sluice:{f:chat:3}:stream:conv:7'
 * ```
 */
export function feedTopicKeys(
  prefix: string,
  feed: string,
  partition: number,
  topic: string,
): TopicKeys {
  return buildTopicKeys(`${prefix}:{f:${feed}:${partition}}:`, `:${topic}`);
}

/**
 * Keys of partition `partition` of feed `feed` (itself a topic of pointer entries).
 *
 * @example
 * ```ts
 * feedPartitionKeys('sluice', 'chat', 3).stream // 'sluice:{f:chat:3}:stream'
 * ```
 */
export function feedPartitionKeys(prefix: string, feed: string, partition: number): TopicKeys {
  return buildTopicKeys(`${prefix}:{f:${feed}:${partition}}:`, '');
}

/**
 * Dead-letter stream of consumer group `group` of a topic (same slot as the topic).
 *
 * @example
 * ```ts
 * deadLetterKey(topicKeys('sluice', 'orders'), 'billing') // 'sluice:{s:orders}:dlq:billing'
 * ```
 */
export function deadLetterKey(keys: TopicKeys, group: string): string {
  return `${keys.head}dlq:${group}${keys.tail}`;
}

/** Pub/Sub channel of an ephemeral (non-durable) topic: `<prefix>:{e:<topic>}:pubsub`. */
export function ephemeralChannel(prefix: string, topic: string): string {
  return `${prefix}:{e:${topic}}:pubsub`;
}

/**
 * Key of a client's cursor on a topic: `<prefix>:{u:<user>}:cursor:<client>:<topic>` (string,
 * a position). All keys of one user share a slot.
 */
export function cursorKey(prefix: string, user: string, client: string, topic: string): string {
  return `${prefix}:{u:${user}}:cursor:${client}:${topic}`;
}

/** Key of a user's unread count on a topic: `<prefix>:{u:<user>}:unread:<topic>` (integer). */
export function unreadKey(prefix: string, user: string, topic: string): string {
  return `${prefix}:{u:${user}}:unread:${topic}`;
}

/**
 * A field of the `lease` hash that is no lease: its long value keeps the hash a hashtable
 * rather than a listpack, whose every lookup walks all fields (set by `lua/includes/fetch.lua`,
 * which says why; no job id can hold a `#`).
 */
export const LEASE_PAD_FIELD = '#hashtable';
