/**
 * The job fields a BullMQ user reads: `processedOn`, `finishedOn`, `attemptsStarted`,
 * `attemptsMade` (BullMQ's meaning), `failedReason` kept while a job waits to retry, and the job
 * an event carries reflecting the attempt that just ended.
 */
import { expect, it } from 'vitest';
import type { Job } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { deferred, useHarness } from './helpers.js';

const h = useHarness();

it('a running job has processedOn; a completed one finishedOn and attemptsMade 1 (its event both)', async () => {
  const q = h().queue('jf');
  const gate = deferred();
  const events: Job[] = [];
  const w = h().worker('jf', async () => {
    await gate.promise;
    return { ok: true };
  });
  w.on('completed', (job) => events.push(job));
  const { id } = await q.add('x', {});
  await waitFor(async () => (await q.getJob(id))?.state === 'active', 'running');
  const running = (await q.getJob(id))!;
  // createdAt is the producer's reading of Redis's clock (src/redis/clock.ts: within half a
  // round trip, rounded to the ms), processedOn Redis's own: a job started at once may show a
  // start up to 1 ms before its creation.
  expect(running.processedOn).toBeGreaterThanOrEqual(running.createdAt - 1);
  expect(running).toMatchObject({ attemptsMade: 0, attemptsStarted: 1, finishedOn: undefined });
  gate.resolve();
  await waitFor(() => events.length === 1, 'completed event');
  const done = (await q.getJob(id))!;
  expect(done).toMatchObject({
    state: 'completed',
    attemptsMade: 1,
    attemptsStarted: 1,
    returnValue: { ok: true },
  });
  expect(done.finishedOn).toBeGreaterThanOrEqual(running.processedOn!);
  expect(events[0]).toMatchObject({
    state: 'completed',
    attemptsMade: 1,
    processedOn: running.processedOn,
    finishedOn: done.finishedOn,
  });
});

it('a job waiting to retry keeps its last error; events carry the attempt that just ended', async () => {
  const q = h().queue('jf');
  const retrying: Job[] = [];
  const failed: Job[] = [];
  const w = h().worker(
    'jf',
    async (job) => {
      throw new Error(`boom ${job.attemptsMade + 1}`);
    },
    { retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 600_000 } } },
  );
  w.on('retrying', (job) => retrying.push(job));
  w.on('failed', (job) => failed.push(job));
  const { id } = await q.add('x', {});
  await waitFor(() => retrying.length === 1, 'first retry');
  const waiting = (await q.getJob(id))!;
  expect(waiting).toMatchObject({
    state: 'delayed',
    failedReason: 'boom 1',
    attemptsMade: 1,
    attemptsStarted: 1,
    finishedOn: undefined,
  });
  expect(waiting.processedOn).toBe(waiting.history[0]!.startedAt);
  expect(waiting.processedOn).toBeLessThanOrEqual(waiting.history[0]!.at);
  expect(retrying[0]).toMatchObject({
    state: 'delayed',
    failedReason: 'boom 1',
    attemptsMade: 1,
    processedOn: waiting.processedOn,
  });
  expect(retrying[0]!.history).toHaveLength(1);

  await q.promote(id);
  await waitFor(() => failed.length === 1, 'dead letter');
  const dead = (await q.getJob(id))!;
  expect(dead).toMatchObject({
    state: 'failed',
    failedReason: 'boom 2',
    attemptsMade: 2,
    attemptsStarted: 2,
    finishedOn: dead.timestamp,
    processedOn: dead.history[1]!.startedAt,
  });
  expect(dead.processedOn).toBeGreaterThanOrEqual(waiting.history[0]!.at);
  expect(failed[0]).toMatchObject({
    state: 'failed',
    failedReason: 'boom 2',
    attemptsMade: 2,
    finishedOn: dead.finishedOn,
    processedOn: dead.processedOn,
  });
});
