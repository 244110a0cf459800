/** `tryOrEnqueue`: direct success adds nothing; failure or a passed deadline adds one job by id. */
import { describe, expect, it } from 'vitest';
import { tryOrEnqueue } from '../../src/index.js';
import { caught, useHarness } from './helpers.js';

const h = useHarness();

describe('tryOrEnqueue', () => {
  it('returns the direct value and adds no job', async () => {
    const q = h().queue('sync');
    const r = await tryOrEnqueue(q, async () => 42, {
      name: 'n',
      data: { x: 1 },
      id: 'note-1',
      deadlineMs: 1000,
    });
    expect(r).toEqual({ outcome: 'direct', value: 42 });
    expect(await q.getJob('note-1')).toBeUndefined();
  });

  it('adds the job with the given id and options when the call throws', async () => {
    const q = h().queue('sync');
    const boom = new Error('503');
    const r = await tryOrEnqueue(
      q,
      () => {
        throw boom;
      },
      {
        name: 'note-changed',
        data: { noteId: 7 },
        id: 'note-7-r2',
        deadlineMs: 1000,
        priority: 'high',
      },
    );
    expect(r).toEqual({ outcome: 'enqueued', id: 'note-7-r2', created: true, reason: boom });
    const job = await q.getJob('note-7-r2');
    expect(job).toMatchObject({
      name: 'note-changed',
      data: { noteId: 7 },
      priority: 10,
      state: 'waiting',
    });
  });

  it('aborts a call past its deadline and enqueues', async () => {
    const q = h().queue('sync');
    let aborted: unknown;
    const r = await tryOrEnqueue(
      q,
      (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            reject(signal.reason);
          });
        }),
      { name: 'n', data: 1, id: 'slow-1', deadlineMs: 30 },
    );
    expect(r.outcome).toBe('enqueued');
    expect(aborted).toMatchObject({ code: 'SLC_ERR_TIMEOUT' });
    expect((r as { reason: unknown }).reason).toBe(aborted);
    expect((await q.stats()).waiting).toBe(1);
  });

  it('is idempotent: falling back twice for the same id adds one job', async () => {
    const q = h().queue('sync');
    const fail = () => Promise.reject(new Error('down'));
    const opts = { name: 'n', data: 1, id: 'same', deadlineMs: 500 };
    const a = await tryOrEnqueue(q, fail, opts);
    const b = await tryOrEnqueue(q, fail, opts);
    expect([a, b].map((r) => (r.outcome === 'enqueued' ? r.created : null))).toEqual([true, false]);
    expect((await q.stats()).waiting).toBe(1);
  });

  it('refuses a missing id or deadline before calling anything', async () => {
    const q = h().queue('sync');
    let called = false;
    const fn = async () => (called = true);
    const e1 = await caught(() =>
      tryOrEnqueue(q, fn, { name: 'n', data: 1, id: '', deadlineMs: 10 }),
    );
    const e2 = await caught(() =>
      tryOrEnqueue(q, fn, { name: 'n', data: 1, id: 'x', deadlineMs: 0 }),
    );
    // past Node's longest timer it would fire after 1 ms
    const e3 = await caught(() =>
      tryOrEnqueue(q, fn, { name: 'n', data: 1, id: 'x', deadlineMs: 3e9 }),
    );
    expect([e1.code, e2.code, e3.code]).toEqual([
      'SLC_ERR_INVALID_OPTIONS',
      'SLC_ERR_INVALID_OPTIONS',
      'SLC_ERR_INVALID_OPTIONS',
    ]);
    expect(called).toBe(false);
  });

  it('throws the add error, carrying the direct failure, when neither works', async () => {
    const q = h().queue('sync');
    await q.close();
    const direct = new Error('down');
    const err = await caught(() =>
      tryOrEnqueue(q, () => Promise.reject(direct), {
        name: 'n',
        data: 1,
        id: 'x',
        deadlineMs: 50,
      }),
    );
    expect(err.code).toBe('SLC_ERR_CLOSED');
    expect(err.cause).toBe(direct);
  });
});
