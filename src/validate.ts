/** Validation of names, ids and payloads: each failure is a typed error that says what is wrong. */
import { PayloadError, ValidationError } from './errors.js';

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

/**
 * Serialises a payload to JSON, refusing what JSON would silently change or drop: functions,
 * symbols, bigints, `undefined` inside arrays, non-finite numbers, cycles, and values such as Map
 * or Set that have no JSON form. Objects with `toJSON` (e.g. Date) are accepted.
 */
export function serialisePayload(value: unknown, maxBytes: number, what = 'payload'): string {
  const problem = findUnserialisable(value, '$', new Set());
  if (problem)
    throw new PayloadError(
      'SLC_ERR_PAYLOAD_NOT_SERIALISABLE',
      `${what} is not JSON-serialisable: ${problem}`,
    );
  const json = value === undefined ? 'null' : JSON.stringify(value);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes)
    throw new PayloadError(
      'SLC_ERR_PAYLOAD_TOO_LARGE',
      `${what} is ${bytes} bytes as JSON; the limit is ${maxBytes}`,
    );
  return json;
}

function findUnserialisable(value: unknown, path: string, seen: Set<object>): string | undefined {
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
  const obj = value as object;
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') return undefined;
  if (seen.has(obj)) return `${path} is a circular reference`;
  if (obj instanceof Map || obj instanceof Set || obj instanceof WeakMap || obj instanceof WeakSet)
    return `${path} is a ${obj.constructor.name}, which has no JSON form`;
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      for (let i = 0; i < obj.length; i++) {
        const p = findUnserialisable(obj[i], `${path}[${i}]`, seen);
        if (p) return p;
      }
    } else {
      for (const key of Object.keys(obj)) {
        const v = (obj as Record<string, unknown>)[key];
        if (v === undefined) continue; // JSON drops undefined properties, as users expect
        const p = findUnserialisable(v, `${path}.${key}`, seen);
        if (p) return p;
      }
    }
  } finally {
    seen.delete(obj);
  }
  return undefined;
}
