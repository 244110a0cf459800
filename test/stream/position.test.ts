/** Positions: the format a client keeps, its parsing, and the ordering of stream ids. */
import { describe, expect, it } from 'vitest';
import { PositionError, START, formatPosition, parsePosition } from '../../src/index.js';
import { compareIds, newEpoch } from '../../src/stream/position.js';
import { fnv1a } from '../../src/stream/feed.js';

describe('positions', () => {
  it('round-trips `<epoch>:<ms>-<seq>` and reads START as before everything', () => {
    expect(parsePosition('k3x9a1:1700000000000-7')).toEqual({
      epoch: 'k3x9a1',
      id: '1700000000000-7',
    });
    expect(formatPosition('k3x9a1', '1700000000000-7')).toBe('k3x9a1:1700000000000-7');
    expect(parsePosition(START)).toEqual({ epoch: '', id: '0-0' });
    expect(parsePosition('e:0001-02').id).toBe('1-2');
  });

  it('rejects malformed positions with SLC_ERR_INVALID_POSITION', () => {
    for (const bad of ['', '1700000000000-0', 'E:1-0', 'e:1', 'e:1-x', 'e:1-0:2', 42, null]) {
      expect(() => parsePosition(bad)).toThrow(PositionError);
      try {
        parsePosition(bad);
      } catch (err) {
        expect((err as PositionError).code).toBe('SLC_ERR_INVALID_POSITION');
        expect((err as PositionError).status).toBe(400);
      }
    }
  });

  it('orders stream ids numerically, not as text', () => {
    expect(compareIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareIds('10-2', '10-10')).toBeLessThan(0);
    expect(compareIds('10-10', '10-10')).toBe(0);
    expect(compareIds('1700000000001-0', '1700000000000-99')).toBeGreaterThan(0);
  });

  it('makes distinct epochs and hashes partitions with FNV-1a', () => {
    const epochs = new Set(Array.from({ length: 1000 }, () => newEpoch()));
    expect(epochs.size).toBe(1000);
    for (const e of epochs) expect(e).toMatch(/^[0-9a-z]{10}$/);
    // Reference values of 32-bit FNV-1a.
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });
});
