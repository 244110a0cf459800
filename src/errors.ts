/**
 * The error hierarchy. Every error Sluice throws is a {@link SluiceError} with a stable `code`
 * (`SLC_ERR_*`, never reused) and the HTTP status the server face maps it to. Branch on `code`,
 * never on message text. `docs/errors.md` lists every code; a test keeps the two in sync.
 *
 * @example
 * ```ts
 * try { await queue.add('job', payload); }
 * catch (err) { if (err instanceof SluiceError && err.code === 'SLC_ERR_PAYLOAD_TOO_LARGE') shrink(); }
 * ```
 */
export const ERROR_CODES = {
  SLC_ERR_INVALID_NAME: 400,
  SLC_ERR_INVALID_OPTIONS: 400,
  SLC_ERR_PAYLOAD_NOT_SERIALISABLE: 400,
  SLC_ERR_PAYLOAD_TOO_LARGE: 413,
  SLC_ERR_JOB_NOT_FOUND: 404,
  SLC_ERR_JOB_STATE: 409,
  SLC_ERR_LEASE_LOST: 409,
  SLC_ERR_CLOSED: 503,
  SLC_ERR_CONNECTION: 503,
  SLC_ERR_TIMEOUT: 504,
  SLC_ERR_NOT_REPLICATED: 503,
  SLC_ERR_CANCELLED: 409,
  SLC_ERR_JOB_FAILED: 409,
  SLC_ERR_SCRIPT: 500,
  SLC_ERR_SCHEMA_VERSION: 500,
  SLC_ERR_INVALID_POSITION: 400,
  SLC_ERR_GROUP_NOT_FOUND: 404,
  SLC_ERR_REDIS: 500,
  SLC_ERR_NO_PERMISSION: 500,
  SLC_ERR_REDIS_VERSION: 500,
  SLC_ERR_CONFIG: 500,
  SLC_ERR_BAD_REQUEST: 400,
  SLC_ERR_NOT_FOUND: 404,
  SLC_ERR_METHOD_NOT_ALLOWED: 405,
  SLC_ERR_UNAUTHORIZED: 401,
  SLC_ERR_TOKEN_EXPIRED: 401,
  SLC_ERR_FORBIDDEN: 403,
  SLC_ERR_INTERNAL: 500,
  SLC_ERR_SLOW_CONSUMER: 503,
  SLC_ERR_DATABASE: 503,
} as const;

/** A stable error code. */
export type SluiceErrorCode = keyof typeof ERROR_CODES;

/** Base class of every error Sluice throws. */
export class SluiceError extends Error {
  /** Stable machine-readable code, e.g. `SLC_ERR_INVALID_NAME`. */
  readonly code: SluiceErrorCode;
  /** HTTP status the admin API answers with for this error. */
  readonly status: number;

  constructor(code: SluiceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = ERROR_CODES[code];
  }
}

/** A queue or topic name, or an option, failed validation. Lists every problem found. */
export class ValidationError extends SluiceError {
  /** Each problem, one line each. */
  readonly problems: string[];
  constructor(code: 'SLC_ERR_INVALID_NAME' | 'SLC_ERR_INVALID_OPTIONS', problems: string[]) {
    super(code, problems.join('; '));
    this.problems = problems;
  }
}

/** A payload that cannot be stored: not JSON-serialisable, or larger than the configured limit. */
export class PayloadError extends SluiceError {
  constructor(
    code: 'SLC_ERR_PAYLOAD_NOT_SERIALISABLE' | 'SLC_ERR_PAYLOAD_TOO_LARGE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A job that does not exist, or is not in the state an operation needs. */
export class JobError extends SluiceError {
  readonly jobId: string;
  constructor(code: 'SLC_ERR_JOB_NOT_FOUND' | 'SLC_ERR_JOB_STATE', jobId: string, message: string) {
    super(code, message);
    this.jobId = jobId;
  }
}

/**
 * A worker tried to complete, fail or extend a job whose lease it no longer holds (the lease
 * expired and the job was handed to someone else). The operation was rejected, not applied.
 */
export class LeaseLostError extends SluiceError {
  readonly jobId: string;
  constructor(jobId: string) {
    super('SLC_ERR_LEASE_LOST', `lease on job ${jobId} was lost; its result was not recorded`);
    this.jobId = jobId;
  }
}

/** The Queue, Worker or Stream was closed. */
export class ClosedError extends SluiceError {
  constructor(what: string) {
    super('SLC_ERR_CLOSED', `${what} is closed`);
  }
}

/** Redis could not be reached, or went away mid-operation. */
export class ConnectionError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SLC_ERR_CONNECTION', message, options);
  }
}

/** An operation did not finish in time. */
export class TimeoutError extends SluiceError {
  constructor(message: string) {
    super('SLC_ERR_TIMEOUT', message);
  }
}

/**
 * A `durable` Queue's add was applied on the primary, but fewer replicas than asked confirmed it
 * within `timeoutMs` (Redis `WAIT`), or the link dropped before they could. The job may exist
 * (and may be lost in a fail-over): retry the add with the same ids, which is harmless.
 */
export class ReplicationError extends SluiceError {
  /** Ids of the jobs the call added (or found), in order. */
  readonly jobIds: string[];
  /** Replicas that confirmed the write (-1 when the link dropped before `WAIT` answered). */
  readonly replicas: number;
  /** Replicas the Queue asked for. */
  readonly required: number;
  constructor(jobIds: string[], replicas: number, required: number) {
    super(
      'SLC_ERR_NOT_REPLICATED',
      replicas < 0
        ? `the connection changed before replicas confirmed the add of ${jobIds.length} job(s); retry with the same ids`
        : `${replicas} of ${required} replica(s) confirmed the add of ${jobIds.length} job(s) in time; retry with the same ids`,
    );
    this.jobIds = jobIds;
    this.replicas = replicas;
    this.required = required;
  }
}

/**
 * A job's attempt ran past its `timeoutMs`: the handler's signal carries it, and the attempt is
 * recorded as failed with it (the retry policy applies).
 */
export class JobTimeoutError extends TimeoutError {
  readonly jobId: string;
  readonly timeoutMs: number;
  constructor(jobId: string, timeoutMs: number) {
    super(`job ${jobId} timed out after ${timeoutMs} ms`);
    this.jobId = jobId;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A job was cancelled (`queue.cancel`) while it ran: the handler's signal carries it, and the job
 * ends as failed with reason `cancelled`, never retried.
 */
export class JobCancelledError extends SluiceError {
  readonly jobId: string;
  /** Never retried. */
  readonly retryable = false;
  constructor(jobId: string) {
    // The message is the job's failed reason, as operators read it.
    super('SLC_ERR_CANCELLED', 'cancelled');
    this.jobId = jobId;
  }
}

/**
 * The job a producer waited for (`queue.waitUntilFinished`) failed for good: `failedReason` is
 * its last error, as operators read it.
 */
export class JobFailedError extends SluiceError {
  readonly jobId: string;
  readonly failedReason: string;
  constructor(jobId: string, failedReason: string) {
    super('SLC_ERR_JOB_FAILED', `job ${jobId} failed: ${failedReason}`);
    this.jobId = jobId;
    this.failedReason = failedReason;
  }
}

/** A stream position that is malformed (positions are `<epoch>:<ms>-<seq>`, or `0`). */
export class PositionError extends SluiceError {
  readonly position: string;
  constructor(position: string, message: string) {
    super('SLC_ERR_INVALID_POSITION', message);
    this.position = position;
  }
}

/** A consumer group that does not exist on the topic. */
export class GroupNotFoundError extends SluiceError {
  readonly group: string;
  constructor(group: string, topic: string) {
    super('SLC_ERR_GROUP_NOT_FOUND', `consumer group ${group} does not exist on topic ${topic}`);
    this.group = group;
  }
}

/** The Redis server is older than the commands Sluice uses need. */
export class RedisVersionError extends SluiceError {
  /** The version the server reported, e.g. `6.0.16`. */
  readonly found: string;
  /** The oldest version Sluice supports. */
  readonly minimum: string;
  constructor(found: string, minimum: string) {
    super(
      'SLC_ERR_REDIS_VERSION',
      `Redis ${found} is too old: Sluice needs Redis ${minimum} or newer`,
    );
    this.found = found;
    this.minimum = minimum;
  }
}

/** The server's configuration (flags, environment, file) is invalid. Lists every problem. */
export class ConfigError extends SluiceError {
  /** Each problem, one line each. */
  readonly problems: string[];
  constructor(problems: string[]) {
    super('SLC_ERR_CONFIG', `invalid configuration: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/** An HTTP request the server cannot take: malformed, an unknown route, a wrong method. */
export class RequestError extends SluiceError {
  constructor(
    code: 'SLC_ERR_BAD_REQUEST' | 'SLC_ERR_NOT_FOUND' | 'SLC_ERR_METHOD_NOT_ALLOWED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A missing, invalid or expired token, or one that does not grant what was asked. */
export class AuthError extends SluiceError {
  constructor(
    code: 'SLC_ERR_UNAUTHORIZED' | 'SLC_ERR_TOKEN_EXPIRED' | 'SLC_ERR_FORBIDDEN',
    message: string,
  ) {
    super(code, message);
  }
}
