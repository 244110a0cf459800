/**
 * HandBack gives held jobs back by calls of a bounded size: when one call fails, only the jobs
 * of the calls not made stay held; those given back already are not held again (another worker
 * may run them now).
 */
import { expect, it } from 'vitest';
import { HandBack } from '../../src/queue/worker/hand-back.js';
import { LEASES_PER_CALL } from '../../src/queue/commands/lifecycle.js';
import type { Running } from '../../src/queue/worker/types.js';

it('re-holds only the jobs of the release calls that were not made', async () => {
  const n = LEASES_PER_CALL * 2 + 10;
  const jobs = Array.from(
    { length: n },
    (_, i) =>
      ({ job: { id: `j${i}` }, token: 't', released: false }) as unknown as Running<
        unknown,
        unknown
      >,
  );
  const calls: string[][] = [];
  const reheld: string[] = [];
  const errors: unknown[] = [];
  const inFlight = new Map(jobs.map((r) => [r.job.id, r]));
  const back = new HandBack<unknown, unknown>({
    commands: {
      release: async (leases: { id: string }[]) => {
        calls.push(leases.map((l) => l.id));
        if (calls.length === 2) throw new Error('Redis went away');
        return leases.length;
      },
    } as never,
    inFlight,
    prefetch: { hold: (r: Running<unknown, unknown>) => void reheld.push(r.job.id) } as never,
    isEnded: () => false,
    reportError: (e) => void errors.push(e),
    pump: () => {},
  });
  await back.held(jobs);
  // the newest first, so the oldest ends up at the head of the queue
  expect(calls[0]).toHaveLength(LEASES_PER_CALL);
  expect(calls[0]![0]).toBe(`j${n - 1}`);
  expect(calls).toHaveLength(2);
  expect(errors).toHaveLength(1);
  // given back: the first call's jobs; held again: the rest, oldest first
  const given = new Set(calls[0]);
  expect(reheld).toEqual(jobs.map((r) => r.job.id).filter((id) => !given.has(id)));
  expect(reheld).toHaveLength(n - LEASES_PER_CALL);
  for (const id of given) expect(inFlight.has(id)).toBe(false);
  for (const id of reheld) expect(inFlight.has(id)).toBe(true);
});
