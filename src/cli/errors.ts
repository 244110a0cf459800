/**
 * The CLI's exit codes, fixed so scripts can rely on them (documented in docs/operations.md):
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | the server answered with an error (its code is printed) |
 * | 2 | usage or configuration error (bad flag, missing URL, unreadable token file), or the server
 *     refused an argument as malformed (a bad queue name, id or position) |
 * | 3 | the server cannot be reached |
 * | 4 | authentication or authorisation failed (missing, invalid, expired token; forbidden) |
 * | 130 | interrupted (Ctrl-C) |
 */
import { SluiceError, ValidationError } from '../index.js';

export const EXIT = {
  OK: 0,
  SERVER: 1,
  USAGE: 2,
  UNREACHABLE: 3,
  AUTH: 4,
  INTERRUPTED: 130,
} as const;

const AUTH_CODES = new Set(['SLC_ERR_UNAUTHORIZED', 'SLC_ERR_TOKEN_EXPIRED', 'SLC_ERR_FORBIDDEN']);

/**
 * What the CLI or the server refuses as malformed input: the arguments given were wrong (exit 2),
 * whichever side found it. The server checks a queue name or job id in a path by its schema
 * (`SLC_ERR_BAD_REQUEST`), which the CLI does not repeat.
 */
const USAGE_CODES = new Set([
  'SLC_ERR_INVALID_OPTIONS',
  'SLC_ERR_INVALID_NAME',
  'SLC_ERR_INVALID_POSITION',
  'SLC_ERR_BAD_REQUEST',
  'SLC_ERR_CONFIG',
]);

/** An error answer from the server: its own code (which may be newer than this CLI's list). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A usage error: bad flags or arguments (exit 2). */
export function usage(...problems: string[]): ValidationError {
  return new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
}

/** Whether `code` says the arguments were malformed (exit 2), not that the server failed. */
export function isUsageCode(code: string): boolean {
  return USAGE_CODES.has(code);
}

/** The exit code of a failure. */
export function exitCodeOf(err: unknown): number {
  const code = codeOf(err);
  if (AUTH_CODES.has(code)) return EXIT.AUTH;
  if (USAGE_CODES.has(code)) return EXIT.USAGE;
  if (code === 'SLC_ERR_CONNECTION' && !(err instanceof ApiError)) return EXIT.UNREACHABLE;
  return EXIT.SERVER;
}

function codeOf(err: unknown): string {
  if (err instanceof ApiError || err instanceof SluiceError) return err.code;
  return 'SLC_ERR_INTERNAL';
}

/** The one line a failure prints on stderr: `code: message` (never a stack). */
export function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `${codeOf(err)}: ${message}`;
}
