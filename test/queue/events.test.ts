/** Typed Worker events: what each carries and in which order they come. */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

const h = useHarness();

describe('worker events', () => {
  it('active → completed with the result; active → retrying → active → failed with the error', async () => {
    const q = h().queue<string>('ev');
    const log: unknown[][] = [];
    const w = h().worker<string, string>(
      'ev',
      async (job) => {
        if (job.data === 'bad') throw new Error(`bad #${job.attemptsMade + 1}`);
        return `ok:${job.data}`;
      },
      { retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 50 } } },
    );
    w.on('active', (job) => log.push(['active', job.id, job.state]));
    w.on('completed', (job, result) => log.push(['completed', job.id, result]));
    w.on('retrying', (job, err, delay) =>
      log.push(['retrying', job.id, (err as Error).message, delay]),
    );
    w.on('failed', (job, err) => log.push(['failed', job.id, (err as Error).message]));
    await q.add('x', 'good', { id: 'g' });
    await waitFor(() => log.length === 2, 'good job events');
    await q.add('x', 'bad', { id: 'b' });
    await waitFor(() => log.length === 6, 'bad job events');
    expect(log).toEqual([
      ['active', 'g', 'active'],
      ['completed', 'g', 'ok:good'],
      ['active', 'b', 'active'],
      ['retrying', 'b', 'bad #1', 50],
      ['active', 'b', 'active'],
      ['failed', 'b', 'bad #2'],
    ]);
  });

  it('drained: once each time the queue runs dry, not while idle', async () => {
    const q = h().queue('ev');
    const w = h().worker('ev', async () => {}, { concurrency: 3, idleWakeMs: 50 });
    let drained = 0;
    w.on('drained', () => drained++);
    await q.addBulk(Array.from({ length: 10 }, (_, i) => ({ data: i })));
    await waitFor(() => drained === 1, 'first drain');
    await sleep(200); // several idle wake-ups: no new drained event
    expect(drained).toBe(1);
    expect((await q.stats()).completed).toBe(10);
    await q.addBulk(Array.from({ length: 3 }, (_, i) => ({ data: i })));
    await waitFor(() => drained === 2, 'second drain');
    expect((await q.stats()).completed).toBe(13);
  });

  it('stalled: carries the id of the job the worker recovered', async () => {
    const q = h().queue('ev');
    await q.add('x', null, { id: 'lost' });
    await h().commands('ev').fetch(1, 100, 'gone:1'); // taken by a worker that then died
    const w = h().worker('ev', async () => {}, { stallCheckMs: 20 });
    const stalled: string[] = [];
    w.on('stalled', (id) => stalled.push(id));
    await waitFor(() => stalled.length === 1, 'stalled event');
    expect(stalled).toEqual(['lost']);
  });

  it('error: reports problems that are not a job outcome', async () => {
    const q = h().queue('ev');
    const w = h().worker(
      'ev',
      async () => {
        throw new Error('handler');
      },
      {
        retry: {
          maxAttempts: 3,
          backoff: () => {
            throw new Error('policy bug');
          },
        },
      },
    );
    const errors: Error[] = [];
    w.on('error', (e) => errors.push(e));
    await q.add('x', null);
    await waitFor(() => errors.length === 1, 'error event');
    expect(errors[0]).toBeInstanceOf(Error);
    expect((errors[0]!.cause as Error).message).toBe('policy bug');
  });
});
