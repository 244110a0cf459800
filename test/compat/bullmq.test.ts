/** fromBullMQPriority: BullMQ's run order, in our numbers. */
import { describe, expect, it } from 'vitest';
import { PRIORITY, ValidationError, fromBullMQPriority } from '../../src/index.js';

describe('fromBullMQPriority', () => {
  it('maps no priority to normal and p to -p', () => {
    expect(fromBullMQPriority(undefined)).toBe(PRIORITY.normal);
    expect(fromBullMQPriority(0)).toBe(0);
    expect(fromBullMQPriority(1)).toBe(-1);
    expect(fromBullMQPriority(7)).toBe(-7);
    expect(fromBullMQPriority(1000)).toBe(-1000);
  });

  it('keeps BullMQ run order: none first, then 1, 2, … (ours runs the higher number first)', () => {
    const bull = [10, 0, 5, 1, 7, 1000];
    const bullOrder = [...bull].sort((a, b) => (a === 0 ? -1 : b === 0 ? 1 : a - b));
    const ourOrder = [...bull].sort((a, b) => fromBullMQPriority(b) - fromBullMQPriority(a));
    expect(ourOrder).toEqual(bullOrder);
  });

  it('clamps priorities past 1,000 to our lowest', () => {
    expect(fromBullMQPriority(1001)).toBe(-1000);
    expect(fromBullMQPriority(2_097_152)).toBe(-1000);
  });

  it('refuses what BullMQ refuses, with SLC_ERR_INVALID_OPTIONS', () => {
    for (const bad of [-1, 1.5, 2_097_153, Number.NaN]) {
      let err: unknown;
      try {
        fromBullMQPriority(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe('SLC_ERR_INVALID_OPTIONS');
    }
  });
});
