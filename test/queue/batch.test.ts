/**
 * Batch handlers on the shared single server: the shared cases (`batch.cases.ts`), then how
 * batches form (size, max wait, concurrency), how misuse is refused, and shutdown.
 */
import { describe, expect, it } from 'vitest';
import { Worker, type Job } from '../../src/index.js';
import { redisUrl, waitFor } from '../harness/context.js';
import { batchCases } from './batch.cases.js';
import { caught, deferred, sleep, useHarness } from './helpers.js';

batchCases(redisUrl);

const h = useHarness();

describe('batch forming', () => {
  // Written the README's way, an inline handler with no annotations: `tsc` (CI's type check
  // covers test/) picks the batch overload from the options, so `jobs` is an array and `ctx`
  // has `fail`. With the one-job overload first this did not compile.
  it('takes an inline batch handler, typed from its batch option', async () => {
    const q = h().queue<number>('inline');
    const seen: number[][] = [];
    const w = new Worker<number>(
      'inline',
      async (jobs, ctx) => {
        seen.push(jobs.map((j) => j.data));
        jobs.forEach((j) => j.data % 2 === 1 && ctx.fail(j, new Error('odd')));
      },
      { connection: redisUrl(), prefix: h().prefix, batch: { size: 10, maxWaitMs: 200 } },
    );
    try {
      await q.addBulk(Array.from({ length: 4 }, (_, i) => ({ data: i, opts: { maxAttempts: 1 } })));
      // (the failures and the completions are recorded by separate calls: wait for all four)
      await waitFor(async () => {
        const s = await q.stats();
        return s.failed + s.completed === 4;
      }, 'all four ended');
      expect(seen.flat().sort()).toEqual([0, 1, 2, 3]);
      expect(await q.stats()).toMatchObject({ completed: 2, failed: 2 });
    } finally {
      await w.close(0);
    }
  });

  it('waits up to maxWaitMs for a batch to fill, then runs what it has', async () => {
    const q = h().queue<number>('form');
    const calls: number[][] = [];
    h().batchWorker<number>('form', (jobs) => void calls.push(jobs.map((j) => j.data)), {
      batch: { size: 50, maxWaitMs: 400 },
    });
    await sleep(50); // the worker is blocked waiting for work
    for (let i = 0; i < 3; i++) {
      await q.add('n', i);
      await sleep(20);
    }
    await waitFor(() => calls.length === 1, 'one batch');
    expect(calls).toEqual([[0, 1, 2]]); // not three batches of one
    // A full batch does not wait.
    await q.addBulk(Array.from({ length: 120 }, (_, i) => ({ data: 100 + i })));
    await waitFor(() => calls.flat().length === 123, 'all ran');
    expect(calls.slice(1).map((c) => c.length)).toEqual([50, 50, 20]);
  });

  it('runs up to `concurrency` batches at once', async () => {
    const q = h().queue<number>('form');
    await q.addBulk(Array.from({ length: 9 }, (_, i) => ({ data: i })));
    let running = 0;
    let most = 0;
    const release = deferred();
    const sizes: number[] = [];
    h().batchWorker<number>(
      'form',
      async (jobs) => {
        sizes.push(jobs.length);
        most = Math.max(most, ++running);
        await release.promise;
        running--;
      },
      { batch: { size: 3 }, concurrency: 2 },
    );
    await waitFor(() => sizes.length === 2, 'two batches running');
    await sleep(100);
    expect(sizes).toEqual([3, 3]); // the third waits for a free batch slot
    expect((await q.stats()).active).toBe(6);
    release.resolve();
    await waitFor(() => sizes.length === 3, 'third batch');
    expect(most).toBe(2);
  });

  it('refuses a job reported twice, a job of another batch, and a report after the call', async () => {
    const q = h().queue<number>('form');
    await q.addBulk([{ data: 1 }, { data: 2 }]);
    const errors: (string | undefined)[] = [];
    let kept: { ctx: { complete(job: Job<number>): void }; job: Job<number> } | undefined;
    const stranger = (await q.getJob('1'))!;
    h().batchWorker<number>(
      'form',
      (jobs, ctx) => {
        ctx.complete(jobs[0]!);
        for (const bad of [() => ctx.complete(jobs[0]!), () => ctx.fail(stranger, 'x')])
          try {
            bad();
          } catch (err) {
            errors.push((err as { code?: string }).code);
          }
        kept = { ctx, job: jobs[1]! };
      },
      { batch: { size: 2, maxWaitMs: 100 } },
    );
    await waitFor(async () => (await q.stats()).completed === 2, 'both completed');
    expect(errors).toEqual(['SLC_ERR_JOB_STATE', 'SLC_ERR_JOB_NOT_FOUND']);
    const late = await caught(() => kept!.ctx.complete(kept!.job));
    expect(late.code).toBe('SLC_ERR_JOB_STATE');
    expect(late.message).toMatch(/after the batch handler ended/);
  });

  it('on close gives back collected jobs at once; a running batch sees its signal', async () => {
    const q = h().queue<number>('form');
    await q.add('n', 1, { id: 'first' });
    const started = deferred();
    let aborted = false;
    const w = h().batchWorker<number>(
      'form',
      async (jobs, ctx) => {
        started.resolve();
        await new Promise<void>((r) =>
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            r();
          }),
        );
      },
      { batch: { size: 1 } },
    );
    await started.promise;
    await w.close(100);
    expect(aborted).toBe(true);
    const s = await h().state('form');
    expect(s.waiting).toEqual(['first']);
    expect(s.active).toEqual({});

    // A batch still being collected (max wait not reached) never reaches the handler.
    let calls = 0;
    const w2 = h().batchWorker<number>('form', () => void calls++, {
      batch: { size: 10, maxWaitMs: 60_000 },
    });
    await waitFor(async () => (await q.stats()).active === 1, 'collected');
    await w2.close(5_000);
    expect(calls).toBe(0);
    expect((await h().state('form')).waiting).toEqual(['first']);
  });

  it('validates batch options with the other options', () => {
    const make = (batch: unknown) => () =>
      new Worker('form', () => {}, {
        connection: redisUrl(),
        autorun: false,
        batch: batch as { size: number },
      });
    for (const bad of [
      { size: 0 },
      { size: 1001 },
      { size: 2, maxWaitMs: -1 },
      { size: 2, max: 1 },
    ])
      expect(make(bad)).toThrow(expect.objectContaining({ code: 'SLC_ERR_INVALID_OPTIONS' }));
  });

  it('types the handler from the options', () => {
    const noop = () => {};
    const check = () =>
      // @ts-expect-error a one-job handler cannot take batch options
      new Worker<number>('form', (job: Job<number>) => job.data, { batch: { size: 2 } });
    const ok = () =>
      new Worker<number, string>(
        'form',
        (jobs, ctx) => {
          for (const j of jobs) ctx.complete(j, String(j.data + 1));
        },
        { batch: { size: 2 } },
      );
    expect([check, ok, noop].length).toBe(3);
  });
});
