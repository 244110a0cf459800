/**
 * The oldest Redis Sluice runs on, and the check that refuses an older one. Checked once per
 * connection, before its first script call (see `scripts.ts`), with one `INFO server`.
 *
 * Why 6.2: the scripts use `XTRIM … MINID` (stream retention by age), `ZRANGE … BYSCORE LIMIT`
 * (stats) and `XPENDING … IDLE` (group reclaim), all new in Redis 6.2. Nothing needs 7.x: where
 * 7.0 adds a field (`XINFO GROUPS` lag) the scripts compute it themselves when it is missing, and
 * 7.0's Functions, the scripts' faster way to run (`functions.ts`), are used only where there.
 */
import { RedisVersionError } from '../errors.js';
import type { RedisClient } from './connection.js';

/** The oldest Redis version Sluice supports. */
export const MIN_REDIS_VERSION = '6.2.0';

/** The `redis_version` field of an `INFO` reply, or undefined when there is none. */
export function parseRedisVersion(info: string): string | undefined {
  const m = /^redis_version:([0-9][0-9A-Za-z.\-+]*)\s*$/m.exec(info);
  return m?.[1];
}

/** Compares dotted versions numerically (`6.10.0` > `6.2.0`); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-+]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.\-+]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Throws {@link RedisVersionError} when `info` names a version older than {@link MIN_REDIS_VERSION}.
 * A reply without `redis_version` (a proxy or a managed service that hides it) passes: the
 * scripts then fail on their own if a command is missing.
 */
export function assertRedisVersion(info: string): void {
  const found = parseRedisVersion(info);
  if (found !== undefined && compareVersions(found, MIN_REDIS_VERSION) < 0) {
    throw new RedisVersionError(found, MIN_REDIS_VERSION);
  }
}

const checks = new WeakMap<RedisClient, Promise<void>>();
const verified = new WeakSet<RedisClient>();
const versions = new WeakMap<RedisClient, string>();

/** The version the check read for `client` (undefined before it, or when INFO hid it). */
export function serverVersion(client: RedisClient): string | undefined {
  return versions.get(client);
}

/** True once `client` passed the check (the hot path then skips the promise). */
export function isVersionVerified(client: RedisClient): boolean {
  return verified.has(client);
}

/**
 * Checks the server behind `client` once. A too-old server is remembered (every later call
 * rejects the same way); a failure to ask (connection down, `INFO` disabled) is not: a refused
 * `INFO` passes, a dropped connection is asked again next time.
 */
export function verifyRedisVersion(client: RedisClient): Promise<void> {
  let check = checks.get(client);
  if (!check) {
    check = client.info('server').then(
      (info) => {
        assertRedisVersion(info);
        const found = parseRedisVersion(info);
        if (found !== undefined) versions.set(client, found);
        verified.add(client);
      },
      (err: unknown) => {
        checks.delete(client);
        // A server that refuses INFO (renamed or ACL-denied) is not refused for that alone.
        if ((err as { name?: unknown }).name === 'ReplyError') {
          verified.add(client);
          return;
        }
        throw err;
      },
    );
    checks.set(client, check);
  }
  return check;
}
