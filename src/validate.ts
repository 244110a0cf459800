/**
 * Validation shared by queues and streams: names, ids, payloads, option objects (their type,
 * their keys, their numbers). Each failure is a typed error that says what is wrong.
 */
import { PayloadError, ValidationError } from './errors.js';
import { describeThrown } from './thrown.js';

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;
/** Longest queue or topic name accepted. */
export const MAX_NAME_LENGTH = 128;

/** Throws `SLC_ERR_INVALID_NAME` unless `name` is a valid queue/topic name. */
export function validateName(kind: 'queue' | 'topic', name: unknown): string {
  const problems: string[] = [];
  if (typeof name !== 'string') problems.push(`${kind} name must be a string, got ${typeof name}`);
  else {
    if (name.length === 0) problems.push(`${kind} name must not be empty`);
    if (name.length > MAX_NAME_LENGTH)
      problems.push(`${kind} name is ${name.length} characters; at most ${MAX_NAME_LENGTH}`);
    if (name.length > 0 && !NAME_RE.test(name))
      problems.push(
        `${kind} name ${JSON.stringify(name)} may contain only letters, digits and _ . : - (not starting with . : -)`,
      );
  }
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_NAME', problems);
  return name as string;
}

const ID_RE = /^[A-Za-z0-9_.:@/+=-]+$/;
const MAX_ID_LENGTH = 256;

/** Returns the problem with a caller-given job id, or undefined if it is fine. */
export function jobIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return `job id must be a string, got ${typeof id}`;
  if (id.length === 0 || id.length > MAX_ID_LENGTH)
    return `job id must be 1–${MAX_ID_LENGTH} characters`;
  if (!ID_RE.test(id))
    return `job id ${JSON.stringify(id)} may contain only letters, digits and _ . : @ / + = -`;
  if (/^\d+$/.test(id))
    return `job id ${JSON.stringify(id)} is all digits; those are reserved for automatic ids`;
  return undefined;
}

// ---- Bounds (documented in docs/options.md) ----

/** Longest lease, heartbeat, poll interval, blocking wait or timeout: 24 h (below Node's timer limit). */
export const MAX_INTERVAL_MS = 86_400_000;
/** Longest delay, age, TTL or window: 10 years. */
export const MAX_AGE_MS = 315_360_000_000;
/** Largest payload, result or entry limit: 512 MiB (Redis's largest string). */
export const MAX_BYTES = 512 * 1024 * 1024;
/** Deepest nesting of objects and arrays in a payload. */
export const MAX_DEPTH = 1000;

const LABELS: Record<number, string> = {
  [MAX_INTERVAL_MS]: ' ms (24 h)',
  [MAX_AGE_MS]: ' ms (10 years)',
  [MAX_BYTES]: ' bytes (512 MiB)',
};

/** Shows a value in a problem line: numbers and strings as such, anything else by its type. */
export function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

/**
 * The problem with an integer option (`undefined` if fine or not given), bounded by
 * `[min, max]`.
 *
 * @example
 * ```ts
 * intProblem('leaseMs', 1e10, 100, MAX_INTERVAL_MS) // 'leaseMs must be an integer from 100 to 86400000 ms (24 h), got 10000000000'
 * ```
 */
export function intProblem(
  name: string,
  v: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max) return undefined;
  const range =
    max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}${LABELS[max] ?? ''}`;
  return `${name} must be an integer ${range}, got ${shown(v)}`;
}

/** True for a value that can carry options: an object that is not null, an array or a function. */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Throws `SLC_ERR_INVALID_OPTIONS` unless `v` is undefined or an options object (see
 * {@link isOptionsObject}); returns it, `{}` for undefined.
 */
export function optionsArg<T extends object>(v: T | undefined | null, what: string): T {
  if (v === undefined) return {} as T;
  if (!isOptionsObject(v))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `${what} must be an object, got ${shown(v)}`,
    ]);
  return v;
}

/**
 * The known option names of one options object, and for unknown names that users bring from
 * other libraries, what to use instead (`''` when Sluice has no equivalent).
 */
export interface KnownKeys {
  readonly known: ReadonlySet<string>;
  readonly instead: Readonly<Record<string, string>>;
}

/** Builds a {@link KnownKeys}. */
export function knownKeys(
  known: readonly string[],
  instead: Readonly<Record<string, string>> = {},
): KnownKeys {
  return { known: new Set(known), instead };
}

/**
 * Adds a problem for each key of `o` that is not a known option (`at` prefixes the names):
 * `unknown option jobId (use id)`. Walks the keys in place; allocates only for problems.
 */
export function pushUnknownKeys(o: object, keys: KnownKeys, at: string, problems: string[]): void {
  for (const key in o) {
    if (keys.known.has(key)) continue;
    const instead = Object.hasOwn(keys.instead, key) ? keys.instead[key] : undefined;
    problems.push(
      `unknown option ${at}${key}` +
        (instead ? ` (use ${instead})` : instead === '' ? ' (Sluice has no equivalent)' : ''),
    );
  }
}

/** The problem with a callback option that is given but is not a function. */
export function functionProblem(name: string, v: unknown): string | undefined {
  return v === undefined || typeof v === 'function'
    ? undefined
    : `${name} must be a function, got ${shown(v)}`;
}

/**
 * The problem with a `connection` option, if it is of a type no connection can be made from.
 * Only the type is checked here; what a URL or options object says is checked when connecting.
 */
export function connectionProblem(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')
    return `connection must be a URL, connection options or a client, got ${shown(v)}`;
  return undefined;
}

const PREFIX_RE = /^[^\s{}*?[\]\\]{1,128}$/;

/** The problem with a key `prefix`, if any: 1–128 characters, no space, brace or glob character. */
export function prefixProblem(v: unknown): string | undefined {
  if (v === undefined || (typeof v === 'string' && PREFIX_RE.test(v))) return undefined;
  return `prefix must be a string of 1–128 characters without spaces, braces or * ? [ ] \\, got ${shown(v)}`;
}

// ---- Payloads ----

/**
 * Serialises a payload to JSON, refusing what JSON would silently change or drop: functions,
 * symbols, bigints, `undefined` inside arrays, non-finite numbers, cycles, nesting deeper than
 * {@link MAX_DEPTH}, and objects with no JSON form (Map, Set, RegExp, Error, Promise, typed
 * arrays…), anywhere in the value. Objects with a `toJSON` (e.g. Date) are judged by what it
 * returns.
 */
export function serialisePayload(value: unknown, maxBytes: number, what = 'payload'): string {
  let json: string | undefined;
  try {
    const problem =
      isPlainLeaf(value) || isFlatPlainObject(value)
        ? undefined
        : findUnserialisable(value, '$', new Set(), 0);
    if (problem) throw notSerialisable(what, problem);
    json = value === undefined ? 'null' : JSON.stringify(value);
  } catch (err) {
    if (err instanceof PayloadError) throw err;
    // the caller's own code threw while it was read: a getter, a toJSON, a Proxy trap
    throw notSerialisable(what, describeThrown(err).message, err);
  }
  if (json === undefined) throw notSerialisable(what, '$ has no JSON form');
  // A UTF-16 unit is at most 3 UTF-8 bytes: only a long payload needs counting.
  const bytes = json.length * 3 <= maxBytes ? 0 : Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes)
    throw new PayloadError(
      'SLC_ERR_PAYLOAD_TOO_LARGE',
      `${what} is ${bytes} bytes as JSON; the limit is ${maxBytes}`,
    );
  return json;
}

function notSerialisable(what: string, problem: string, cause?: unknown): PayloadError {
  return new PayloadError(
    'SLC_ERR_PAYLOAD_NOT_SERIALISABLE',
    `${what} is not JSON-serialisable: ${problem}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Classes whose instances JSON turns into `{}` or an index map: refused, not guessed at. */
const NO_JSON_FORM: (abstract new (...a: never[]) => object)[] = [
  Map,
  Set,
  WeakMap,
  WeakSet,
  RegExp,
  Error,
  Promise,
  ArrayBuffer,
  DataView,
  WeakRef,
];

function noJsonForm(obj: object): string | undefined {
  if (ArrayBuffer.isView(obj)) return obj.constructor.name;
  if (typeof SharedArrayBuffer !== 'undefined' && obj instanceof SharedArrayBuffer)
    return 'SharedArrayBuffer';
  for (const cls of NO_JSON_FORM) if (obj instanceof cls) return obj.constructor.name || cls.name;
  return undefined;
}

const DATE_TO_JSON = Date.prototype.toJSON;

/** A string, boolean, finite number or null: JSON writes it as it is. */
function isPlainLeaf(v: unknown): boolean {
  const t = typeof v;
  return t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(v)) || v === null;
}

/** The common payload, checked without the walk: a plain object of JSON leaves (or undefined). */
function isFlatPlainObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype)
    return false;
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && !isPlainLeaf(x)) return false;
  }
  return true;
}

function findUnserialisable(
  value: unknown,
  path: string,
  seen: Set<object>,
  depth: number,
  key = '',
): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}`;
    case 'undefined':
      return path === '$' ? undefined : `${path} is undefined`;
    case 'function':
    case 'symbol':
    case 'bigint':
      return `${path} is a ${typeof value}`;
  }
  if (value === null) return undefined;
  let obj = value as object;
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  // A Date always writes a string (or null): no need to run its toJSON twice.
  if (toJSON === DATE_TO_JSON) return undefined;
  if (typeof toJSON === 'function') {
    // Judge what JSON will write: the value toJSON returns (called as JSON.stringify calls it).
    const replaced: unknown = (toJSON as (k: string) => unknown).call(obj, key);
    if (replaced === undefined) return `${path}.toJSON() returned undefined`;
    if (typeof replaced !== 'object' || replaced === null)
      return findUnserialisable(replaced, `${path}.toJSON()`, seen, depth, key);
    obj = replaced;
  }
  if (depth >= MAX_DEPTH) return `${path} is nested deeper than ${MAX_DEPTH} levels`;
  if (seen.has(obj)) return `${path} is a circular reference`;
  // Plain objects and arrays are the common case: skip the class checks for them.
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) {
    const cls = noJsonForm(obj);
    if (cls) return `${path} is a ${cls}, which has no JSON form`;
  }
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      for (let i = 0; i < obj.length; i++) {
        if (isPlainLeaf(obj[i])) continue; // the common case: no path string built for it
        const p = findUnserialisable(obj[i], `${path}[${i}]`, seen, depth + 1, String(i));
        if (p) return p;
      }
    } else {
      for (const k of Object.keys(obj)) {
        const v = (obj as Record<string, unknown>)[k];
        if (v === undefined) continue; // JSON drops undefined properties, as users expect
        if (isPlainLeaf(v)) continue;
        const p = findUnserialisable(v, `${path}.${k}`, seen, depth + 1, k);
        if (p) return p;
      }
    }
  } finally {
    seen.delete(obj);
  }
  return undefined;
}
