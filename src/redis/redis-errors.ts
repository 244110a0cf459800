/**
 * Errors from Redis and from the client, told apart by code, never by free text: which ones
 * mean "Redis was briefly unreachable" (worth another try), and how the others become a typed
 * {@link SluiceError}. The one place that looks inside a Redis or ioredis error.
 */
import { SluiceError } from '../errors.js';

/** Error replies Redis gives while it cannot serve yet (loading, fail-over, resharding). */
const TRANSIENT_REPLIES = new Set(['LOADING', 'CLUSTERDOWN', 'TRYAGAIN', 'MASTERDOWN', 'READONLY']);
/** Socket error codes (`err.code`) of a link that broke or could not be made. */
const TRANSIENT_SOCKET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);
/**
 * ioredis rejects commands it could not send with plain errors that carry no code; these are
 * their fixed texts (ioredis 5), matched at the start only.
 */
const CLIENT_UNREACHABLE =
  /^(Stream isn't writeable|Connection is closed|Cluster isn't ready|All sentinels are unreachable)/;

/**
 * Redis's own code of an error reply — its first word, as the protocol defines it (`NOGROUP`,
 * `WRONGTYPE`, `LOADING`, `ERR`…) — or undefined for anything that is not an error reply.
 *
 * @example
 * ```ts
 * if (replyCode(err) === 'NOGROUP') await recreateGroup();
 * ```
 */
export function replyCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || err.name !== 'ReplyError') return undefined;
  return /^[A-Z][A-Z_]*/.exec(err.message)?.[0];
}

/** True for errors that mean "Redis was briefly unreachable", worth another try. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof SluiceError) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  const reply = replyCode(err);
  if (reply !== undefined) return TRANSIENT_REPLIES.has(reply);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_SOCKET.has(code)) return true;
  return CLIENT_UNREACHABLE.test(err.message);
}

/**
 * The typed form of an error a command failed with: a {@link SluiceError} passes through; an
 * ACL refusal (`NOPERM`) becomes `SLC_ERR_NO_PERMISSION`; an error reply of a Lua script
 * `SLC_ERR_SCRIPT`, any other failure `SLC_ERR_REDIS`
 * (the original error is the `cause`).
 */
export function toSluiceError(err: unknown, what: string, isScript: boolean): SluiceError {
  if (err instanceof SluiceError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // The ACL user lacks the command, key or channel (see docs/operations.md for what it needs).
  if (replyCode(err) === 'NOPERM')
    return new SluiceError('SLC_ERR_NO_PERMISSION', `${what} refused by Redis ACL: ${message}`, {
      cause: err,
    });
  return new SluiceError(
    isScript ? 'SLC_ERR_SCRIPT' : 'SLC_ERR_REDIS',
    `${what} failed: ${message}`,
    { cause: err },
  );
}
