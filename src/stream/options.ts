/**
 * Options of the stream classes, their defaults, and their validation: each constructor checks
 * its options against one table and fails with one `SLC_ERR_INVALID_OPTIONS` error that lists
 * every problem.
 */
import { ValidationError } from '../errors.js';

// The connection retry rule is shared with queues: it lives in src/redis.
export { toConnectionRetry, type ConnectionRetry } from '../redis/command-connection.js';

/** Retention and lifetime of a topic (or of a feed partition). */
export interface RetentionOptions {
  /** Keep at most this many entries (the oldest go first); default: no limit. */
  maxLen?: number;
  /** Remove entries older than this (ms), checked on each publish; default: no limit. */
  maxAgeMs?: number;
  /** Delete the topic after this long (ms) without a publish; default: never. */
  ttlMs?: number;
  /**
   * Let retention remove entries that a live consumer group has not acknowledged yet. Default
   * `false`: trimming stops at the oldest entry some live group still needs (the topic may then
   * exceed `maxLen`/`maxAgeMs` until the group catches up).
   */
  trimUnacked?: boolean;
  /** A group counts as live for `groupLiveMs` after its consumers were last seen; default 1 h. */
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

type Check = [name: string, value: unknown, rule: 'int>=0' | 'int>0' | 'bool', required?: boolean];

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
    const min = rule === 'int>0' ? 1 : 0;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
      problems.push(`${name} must be an integer >= ${min}, got ${String(value)}`);
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
    [`${at}maxAgeMs`, o.maxAgeMs, 'int>0'],
    [`${at}ttlMs`, o.ttlMs, 'int>0'],
    [`${at}trimUnacked`, o.trimUnacked, 'bool'],
    [`${at}groupLiveMs`, o.groupLiveMs, 'int>0'],
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
