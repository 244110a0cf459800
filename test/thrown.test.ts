/** Describing any thrown value (src/thrown.ts): never throws, always a bounded readable message. */
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS, describeThrown, readSafely, toError } from '../src/thrown.js';
import { ODD_THROWS, throwing } from './fixtures/odd-throws.js';

describe('describeThrown', () => {
  it.each(ODD_THROWS)('%s: a readable, bounded message, no throw', (_label, make, message) => {
    const d = describeThrown(make());
    expect(d.message).toMatch(message);
    expect(d.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS + 40);
    expect(typeof d.name).toBe('string');
    if (d.stack !== undefined) expect(d.stack.length).toBeLessThanOrEqual(16_384 + 40);
  });

  it('keeps an Error name, message and stack', () => {
    const e = new TypeError('bad');
    expect(describeThrown(e)).toEqual({ name: 'TypeError', message: 'bad', stack: e.stack });
  });
});

describe('toError / readSafely', () => {
  it('returns an Error as is; wraps anything else, keeping it as cause', () => {
    const e = new Error('as is');
    expect(toError(e)).toBe(e);
    const odd = Object.create(null) as object;
    const wrapped = toError(odd);
    expect(wrapped).toBeInstanceOf(Error);
    expect(wrapped.message).toBe('[object without prototype]');
    expect(wrapped.cause).toBe(odd);
  });

  it('reads a property through a throwing getter as undefined', () => {
    expect(
      readSafely(
        {
          get retryable() {
            return throwing();
          },
        },
        'retryable',
      ),
    ).toBeUndefined();
    expect(readSafely(null, 'x')).toBeUndefined();
    expect(readSafely({ x: 1 }, 'x')).toBe(1);
  });
});
