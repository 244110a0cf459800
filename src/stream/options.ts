/**
 * Options of the stream classes, their defaults, and their validation: each constructor checks
 * its options against one table and fails with one `SLC_ERR_INVALID_OPTIONS` error that lists
 * every problem.
 */
import { ValidationError } from '../errors.js';
import {
  MAX_AGE_MS,
  MAX_BYTES,
  MAX_INTERVAL_MS,
  intProblem,
  isOptionsObject,
  knownKeys,
  shown,
  optionsArg,
  pushUnknownKeys,
  type KnownKeys,
} from '../validate.js';

// The connection retry rule is shared with queues: it lives in src/redis.
export { toConnectionRetry, type ConnectionRetry } from '../redis/command-connection.js';

/** Retention and lifetime of a topic (or of a feed partition). */
export interface RetentionOptions {
  /** Keep at most this many entries (the oldest go first); default: no limit. */
  maxLen?: number;
  /** Remove entries older than this (ms, at most 10 years), checked on each publish; default: no limit. */
  maxAgeMs?: number;
  /** Delete the topic after this long (ms, at most 10 years) without a publish; default: never. */
  ttlMs?: number;
  /**
   * Let retention remove entries that a live consumer group has not acknowledged yet. Default
   * `false`: trimming stops at the oldest entry some live group still needs (the topic may then
   * exceed `maxLen`/`maxAgeMs` until the group catches up).
   */
  trimUnacked?: boolean;
  /**
   * A group counts as live for `groupLiveMs` (at most 10 years) after its consumers were last
   * seen; default 1 h.
   */
  groupLiveMs?: number;
}

/** Normalised retention, as the publish script takes it. */
export interface Retention {
  maxLen: number;
  maxAgeMs: number;
  ttlMs: number;
  protect: boolean;
  groupLiveMs: number;
}

/** How long a group stays live (holds back trimming) after its consumers were seen: 1 h. */
export const DEFAULT_GROUP_LIVE_MS = 3_600_000;
/** How long an idempotency key is remembered by default: 5 minutes. */
export const DEFAULT_IDEMPOTENCY_WINDOW_MS = 300_000;
/** The default largest entry, in bytes of JSON: 64 KiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
/** Live notifications carry the data inline up to this many bytes per publish. */
export const INLINE_MAX_BYTES = 64 * 1024;
/** Entries per backlog read of a subscription, by default. */
export const DEFAULT_PAGE_SIZE = 200;
/** Live entries a subscription holds for a slow consumer, by default. */
export const DEFAULT_MAX_BUFFERED = 1000;
/** The most entries one read (`range`, `latest`, a page) may ask for. */
export const MAX_PAGE_SIZE = 10_000;

/**
 * What a value must be: an integer (`>=0`, `>0`); a duration in ms, `interval` for leases,
 * heartbeats, polls and timeouts (at most 24 h, below Node's timer limit), `age` for ages,
 * TTLs and windows (at most 10 years), each `>0` or `>=0`; a size in `bytes` (1 – 512 MiB);
 * or a `bool`.
 */
type Rule =
  'int>=0' | 'int>0' | 'interval>0' | 'interval>=0' | 'age>0' | 'age>=0' | 'bytes' | 'bool';

type Check = [name: string, value: unknown, rule: Rule, required?: boolean];

const BOUNDS: Record<Exclude<Rule, 'bool'>, [min: number, max: number]> = {
  'int>=0': [0, Number.MAX_SAFE_INTEGER],
  'int>0': [1, Number.MAX_SAFE_INTEGER],
  'interval>0': [1, MAX_INTERVAL_MS],
  'interval>=0': [0, MAX_INTERVAL_MS],
  'age>0': [1, MAX_AGE_MS],
  'age>=0': [0, MAX_AGE_MS],
  bytes: [1, MAX_BYTES],
};

/**
 * Problems with a set of option values, one line each.
 *
 * @example
 * ```ts
 * optionProblems([['maxLen', 0, 'int>0']]) // ['maxLen must be an integer >= 1, got 0']
 * ```
 */
export function optionProblems(checks: readonly Check[]): string[] {
  const problems: string[] = [];
  for (const [name, value, rule, required] of checks) {
    if (value === undefined) {
      if (required) problems.push(`${name} is required`);
      continue;
    }
    if (rule === 'bool') {
      if (typeof value !== 'boolean') problems.push(`${name} must be a boolean`);
      continue;
    }
    const p = intProblem(name, value, ...BOUNDS[rule]);
    if (p) problems.push(p);
  }
  return problems;
}

/** Throws one `SLC_ERR_INVALID_OPTIONS` error listing every problem, if there are any. */
export function assertNoProblems(problems: string[]): void {
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
}

/** Checks for {@link RetentionOptions} (names prefixed with `at`). */
export function retentionChecks(o: RetentionOptions, at = ''): Check[] {
  return [
    [`${at}maxLen`, o.maxLen, 'int>0'],
    [`${at}maxAgeMs`, o.maxAgeMs, 'age>0'],
    [`${at}ttlMs`, o.ttlMs, 'age>0'],
    [`${at}trimUnacked`, o.trimUnacked, 'bool'],
    [`${at}groupLiveMs`, o.groupLiveMs, 'age>0'],
  ];
}

/** Normalises checked {@link RetentionOptions} (defaults filled in) for the publish script. */
export function toRetention(o: RetentionOptions): Retention {
  return {
    maxLen: o.maxLen ?? 0,
    maxAgeMs: o.maxAgeMs ?? 0,
    ttlMs: o.ttlMs ?? 0,
    protect: o.trimUnacked !== true,
    groupLiveMs: o.groupLiveMs ?? DEFAULT_GROUP_LIVE_MS,
  };
}

const MEMBER_RE = /^[A-Za-z0-9_][A-Za-z0-9_.@+=-]{0,127}$/;

/**
 * Checks a group, consumer, user or client name: 1–128 of letters, digits and `_ . @ + = -`
 * (no `:` — it separates the parts of the keys these names go into).
 */
export function validateMemberName(kind: string, name: unknown): string {
  if (typeof name !== 'string' || !MEMBER_RE.test(name))
    throw new ValidationError('SLC_ERR_INVALID_NAME', [
      `${kind} ${JSON.stringify(name)} must be 1–128 characters of letters, digits and _ . @ + = - (not starting with . @ + = -)`,
    ]);
  return name;
}

// ---- Option objects: their type and their keys ----

/**
 * Checks that `value` is an options object (or undefined) and has no unknown keys. Returns it
 * (`{}` for undefined) with the problems found so far; throws at once if it is not an object,
 * unless it is nested (`at` given: that is a problem like the others).
 *
 * @example
 * ```ts
 * const { o, problems } = optionsOf(opts, 'range options', RANGE_KEYS);
 * ```
 */
export function optionsOf<T extends object>(
  value: T | undefined | null,
  what: string,
  keys: KnownKeys,
  at = '',
): { o: T; problems: string[] } {
  const problems: string[] = [];
  if (at !== '' && value !== undefined && !isOptionsObject(value)) {
    problems.push(`${what} must be an object, got ${shown(value)}`);
    return { o: {} as T, problems };
  }
  const o = optionsArg(value, what);
  pushUnknownKeys(o, keys, at, problems);
  return { o, problems };
}

const RETENTION = ['maxLen', 'maxAgeMs', 'ttlMs', 'trimUnacked', 'groupLiveMs'];
const RETENTION_INSTEAD = {
  maxlen: 'maxLen',
  MAXLEN: 'maxLen',
  maxAge: 'maxAgeMs',
  ttl: 'ttlMs',
  minId: 'maxAgeMs',
};

/** Known keys of each options object of the stream classes. */
export const KEYS = {
  streams: knownKeys(['connection', 'prefix', 'retry', 'tailCheckMs', 'connectionName']),
  topic: knownKeys([...RETENTION, 'idempotencyWindowMs', 'maxPayloadBytes', 'feed'], {
    ...RETENTION_INSTEAD,
    durable: 'streams.ephemeral() for a non-durable topic',
    ephemeral: 'streams.ephemeral()',
  }),
  feed: knownKeys(['partitions', ...RETENTION], RETENTION_INSTEAD),
  ephemeral: knownKeys(['maxPayloadBytes']),
  group: knownKeys(['startAt'], { from: 'startAt', start: 'startAt', startId: 'startAt' }),
  process: knownKeys(
    [
      'consumer',
      'concurrency',
      'claimIdleMs',
      'maxDeliveries',
      'retryDelayMs',
      'blockMs',
      'reclaimIntervalMs',
      'heartbeatMs',
      'deadLetterMaxLen',
    ],
    {
      consumerName: 'consumer',
      name: 'consumer',
      minIdleTime: 'claimIdleMs',
      minIdleMs: 'claimIdleMs',
      maxRetries: 'maxDeliveries',
      maxAttempts: 'maxDeliveries',
      block: 'blockMs',
      count: 'concurrency',
    },
  ),
  subscribe: knownKeys(['after', 'signal', 'pageSize', 'maxBuffered'], {
    from: 'after',
    since: 'after',
    lastEventId: 'after',
    limit: 'pageSize',
  }),
  range: knownKeys(['after', 'limit'], { from: 'after', since: 'after', count: 'limit' }),
  publish: knownKeys(['idempotencyKey'], { id: 'idempotencyKey', key: 'idempotencyKey' }),
  bulkItem: knownKeys(['data', 'idempotencyKey'], { id: 'idempotencyKey', key: 'idempotencyKey' }),
  cursors: knownKeys(['cursorTtlMs', 'unreadTtlMs'], { ttlMs: 'cursorTtlMs' }),
  cursorSet: knownKeys(['clearUnread']),
  limit: knownKeys(['limit']),
  deadLetters: knownKeys(['after', 'limit']),
  ping: knownKeys(['timeoutMs'], { timeout: 'timeoutMs' }),
} as const;

/**
 * Checks the options of a `subscribe` (durable or ephemeral): its keys, `maxBuffered` and
 * `signal` (the position and page size are checked where they are used).
 */
export function checkSubscribeOptions<
  O extends { after?: unknown; signal?: unknown; pageSize?: unknown; maxBuffered?: unknown },
>(options: O | undefined): O {
  const { o, problems } = optionsOf(options, 'subscribe options', KEYS.subscribe);
  problems.push(...optionProblems([['maxBuffered', o.maxBuffered, 'int>0']]));
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    problems.push('signal must be an AbortSignal');
  assertNoProblems(problems);
  return o;
}
