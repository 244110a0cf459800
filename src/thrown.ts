/**
 * Describing whatever a handler threw, safely.
 *
 * JavaScript lets code throw anything: `null`, a symbol, an object without a prototype (whose
 * `String()` throws), an object whose `toString` or `message` getter throws, an Error with a
 * 100 MB message. The worker and the consumer group turn a throw into a recorded failed
 * attempt; if that conversion itself threw, it would throw on a path nobody awaits and take the
 * process down (and then the next worker that leased the job). So nothing here ever throws.
 *
 * @example
 * ```ts
 * describeThrown(Object.create(null)); // { name: 'Error', message: '[object without prototype]' }
 * ```
 */

/** Longest message kept (characters); the rest is cut with a note of how much was cut. */
export const MAX_MESSAGE_CHARS = 8_192;
/** Longest stack kept (characters). */
export const MAX_STACK_CHARS = 16_384;

/** A thrown value, described as plain strings. */
export interface ThrownDescription {
  /** The error's `name` when it has a readable string one, else `'Error'`. */
  name: string;
  /** A readable, bounded message (never empty for a non-Error value). */
  message: string;
  /** The stack, bounded, when the value has a readable string one. */
  stack?: string;
}

/** Reads `value[key]` without letting a throwing getter (or a Proxy trap) escape. */
function read(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** Cuts `s` to `max` characters, saying how much was cut. */
function bound(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… [${s.length - max} more characters]`;
}

/** A string for any value; falls back to a type description when `String()` throws. */
function text(value: unknown): string {
  try {
    return String(value);
  } catch {
    // Object.create(null), a throwing toString, a Proxy: say what it is instead.
    try {
      if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === null)
        return '[object without prototype]';
    } catch {
      // a Proxy whose getPrototypeOf trap throws
    }
    return `[unprintable ${typeof value}]`;
  }
}

/** A plain object reads best as JSON (`{"code":42}`); anything else as its string. */
function objectText(value: object): string {
  try {
    const json = JSON.stringify(value);
    if (typeof json === 'string' && json !== '{}') return json;
  } catch {
    // a cycle, a BigInt, a throwing getter or toJSON
  }
  return text(value);
}

/**
 * Describes any thrown value as a bounded name, message and stack. Never throws.
 */
export function describeThrown(value: unknown): ThrownDescription {
  if (typeof value !== 'object' || value === null) {
    const message = value === undefined ? 'undefined was thrown' : text(value);
    return { name: 'Error', message: bound(message || '(empty)', MAX_MESSAGE_CHARS) };
  }
  const name = read(value, 'name');
  const message = read(value, 'message');
  const stack = read(value, 'stack');
  const out: ThrownDescription = {
    name: typeof name === 'string' && name ? bound(name, 200) : 'Error',
    message: bound(typeof message === 'string' ? message : objectText(value), MAX_MESSAGE_CHARS),
  };
  if (typeof stack === 'string') out.stack = bound(stack, MAX_STACK_CHARS);
  return out;
}

/**
 * The value itself when it is an Error whose `message` reads as a string (so listeners get what
 * the handler threw), else a new Error carrying its description (the value as `cause`).
 * Never throws.
 */
export function toError(value: unknown): Error {
  try {
    if (value instanceof Error && typeof value.message === 'string') return value;
  } catch {
    // a getter or a Proxy trap threw: describe it instead
  }
  const d = describeThrown(value);
  const error = new Error(d.message, { cause: value });
  if (d.name !== 'Error') error.name = d.name;
  return error;
}

/** `value[key]` when `value` is an object (or function) and reading it does not throw; else undefined. */
export function readSafely(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null)
    return undefined;
  return read(value, key);
}
