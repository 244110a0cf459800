/**
 * A handler may throw (or reject with) anything. Each odd value must fail the attempt through
 * the retry policy with a readable message — never crash the worker (the conversion used to
 * throw on a path nobody awaits) nor leave the job active with its lease renewed for ever.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { ODD_THROWS } from '../fixtures/odd-throws.js';
import { useHarness } from './helpers.js';

const h = useHarness();

describe('a handler that throws an odd value', () => {
  it('fails each attempt through the retry policy, with a readable message', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const q = h().queue<number>('odd');
      const retrying: string[] = [];
      const failed: string[] = [];
      const w = h().worker<number>(
        'odd',
        async (job) => {
          throw ODD_THROWS[job.data]![1]();
        },
        { retry: { maxAttempts: 2 }, concurrency: 4 },
      );
      w.on('retrying', (job) => retrying.push(job.id));
      w.on('failed', (job) => failed.push(job.id));
      const added = await q.addBulk(ODD_THROWS.map((_, i) => ({ name: 'odd', data: i })));
      await waitFor(() => failed.length === ODD_THROWS.length, 'every job dead-lettered');
      expect(retrying.sort()).toEqual(added.map((a) => a.id).sort());
      const s = await h().state('odd');
      expect(s.active).toEqual({});
      expect(s.lease).toEqual({});
      expect(Object.keys(s.failed).sort()).toEqual(added.map((a) => a.id).sort());
      for (const [i, [label, , message]] of ODD_THROWS.entries()) {
        const job = (await q.getJob(added[i]!.id))!;
        expect(job.state, label).toBe('failed');
        expect(job.attemptsMade, label).toBe(2);
        const expected = typeof message === 'string' ? message : expect.stringMatching(message);
        expect(
          job.history.map((a) => a.error),
          label,
        ).toEqual([expected, expected]);
        expect(job.failedReason!.length, label).toBeLessThan(9_000);
      }
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
