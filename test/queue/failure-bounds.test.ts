/**
 * What a failed job keeps is bounded (docs/guarantees.md "What a failed job keeps"): a stack is
 * cut to 2,048 bytes, attempts older than the newest 3 keep no stack and 1,024 bytes of their
 * message, and `historyLimit` attempts are kept — however big the error, however many tries.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { useHarness } from './helpers.js';

const h = useHarness();

describe('failure bounds', () => {
  it('a job failing 50 times with a 1 MB message and stack keeps bounded bytes', async () => {
    const q = h().queue('fb');
    const w = h().worker(
      'fb',
      async (job) => {
        const err = new Error(`é${'m'.repeat(1_000_000)}`);
        err.stack = `Error: attempt ${job.attemptsMade + 1}\n${'    at frame (x.js:1:1)\n'.repeat(50_000)}`;
        throw err;
      },
      { concurrency: 1, retry: { maxAttempts: 50, backoff: { type: 'fixed', delayMs: 0 } } },
    );
    let failed = false;
    w.on('failed', () => (failed = true));
    await q.add('x', null, { id: 'big' });
    await waitFor(() => failed, 'dead letter', 20_000);

    const k = h().keys('fb');
    const bytes = await h().redis.hstrlen(k.info, 'big');
    // 3 × (8,192-char message + 2,048 B stack) + 7 × 1,024 B + failedReason 8,192 + fields
    expect(bytes).toBeLessThan(50_000);
    const s = await h().state('fb');
    const info = s.info.big!;
    expect(info.attempts).toBe(50);
    const history = info.history!;
    expect(history).toHaveLength(10); // the default historyLimit
    for (const e of history.slice(0, 7)) {
      expect(Buffer.byteLength(e.error)).toBeLessThanOrEqual(1024 + 3);
      expect(e.error.startsWith('ém')).toBe(true); // cut on a character boundary
      expect(e.error.endsWith('…')).toBe(true);
      expect(e.stack).toBeUndefined();
    }
    for (const e of history.slice(7)) expect(e.error.length).toBeLessThan(8_300);
    expect(history.slice(7).map((e) => e.stack!.split('\n')[0])).toEqual([
      'Error: attempt 48',
      'Error: attempt 49',
      'Error: attempt 50',
    ]);
    for (const e of history.slice(7))
      expect(Buffer.byteLength(e.stack!)).toBeLessThanOrEqual(2048 + 3);
    expect(info.failedReason).toBe(history[9]!.error);
  }, 30_000);
});
