/** De-duplication: a dedupKey returns the job that holds it while that job is unfinished. */
import { expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { useHarness } from './helpers.js';

const harness = useHarness();

it('returns the holder while it waits, is delayed or runs, and stores the key', async () => {
  const h = harness();
  const queue = h.queue('dd');
  const first = await queue.add('sync', { v: 1 }, { dedupKey: 'note-7' });
  expect(first.created).toBe(true);
  expect(await queue.add('sync', { v: 2 }, { dedupKey: 'note-7' })).toEqual({
    id: first.id,
    created: false,
  });
  expect(await h.redis.hgetall(h.keys('dd').dedup)).toEqual({ 'note-7': first.id });
  const delayed = await queue.add('sync', {}, { dedupKey: 'later', delay: 60_000 });
  expect(await queue.add('sync', {}, { dedupKey: 'later' })).toEqual({
    id: delayed.id,
    created: false,
  });

  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  h.worker('dd', async () => gate);
  await waitFor(async () => (await queue.getJob(first.id))?.state === 'active', 'active holder');
  expect(await queue.add('sync', { v: 3 }, { dedupKey: 'note-7' })).toEqual({
    id: first.id,
    created: false,
  });
  expect((await queue.stats()).waiting).toBe(0);
  release();
  await waitFor(
    async () => (await queue.getJob(first.id))?.state === 'completed',
    'completed holder',
  );
  const next = await queue.add('sync', { v: 4 }, { dedupKey: 'note-7' });
  expect(next.created).toBe(true);
  expect(next.id).not.toBe(first.id);
});

it('keeps de-duplicating for dedupTtlMs after the holder finished', async () => {
  const h = harness();
  const queue = h.queue('ttl');
  h.worker('ttl', async () => 'ok');
  const first = await queue.add('x', {}, { dedupKey: 'k', dedupTtlMs: 60_000 });
  await waitFor(async () => (await queue.getJob(first.id))?.state === 'completed', 'completed');
  expect(await queue.add('x', {}, { dedupKey: 'k', dedupTtlMs: 60_000 })).toEqual({
    id: first.id,
    created: false,
  });
  // the same key with no TTL only looks at unfinished holders
  expect((await queue.add('x', {}, { dedupKey: 'k' })).created).toBe(true);
});

it('de-duplicates inside one addBulk call', async () => {
  const h = harness();
  const queue = h.queue('bulk');
  const added = await queue.addBulk([
    { data: 1, opts: { dedupKey: 'a' } },
    { data: 2, opts: { dedupKey: 'a' } },
    { data: 3, opts: { dedupKey: 'b' } },
  ]);
  expect(added.map((a) => a.created)).toEqual([true, false, true]);
  expect(added[1]!.id).toBe(added[0]!.id);
  expect((await queue.stats()).waiting).toBe(2);
});

it('releases the key when the holder is deleted (removed, cleared or trimmed by retention)', async () => {
  const h = harness();
  const queue = h.queue('rel');
  const a = await queue.add('x', {}, { dedupKey: 'removed' });
  await queue.remove(a.id);
  await queue.add('x', {}, { dedupKey: 'cleared' });
  await queue.clear();
  expect(await h.redis.hlen(h.keys('rel').dedup)).toBe(0);

  h.worker('rel', async () => 'ok', { keepCompleted: false });
  const c = await queue.add('x', {}, { dedupKey: 'trimmed' });
  await waitFor(async () => (await queue.stats()).totals.completed === 1, 'completion');
  expect(await queue.getJob(c.id)).toBeUndefined();
  expect(await h.redis.hlen(h.keys('rel').dedup)).toBe(0);
});

it('rejects bad dedup options with a typed error and adds nothing', async () => {
  const h = harness();
  const queue = h.queue('bad');
  await expect(queue.add('x', {}, { dedupKey: '' })).rejects.toMatchObject({
    code: 'SLC_ERR_INVALID_OPTIONS',
  });
  await expect(queue.add('x', {}, { dedupTtlMs: 5 })).rejects.toMatchObject({
    code: 'SLC_ERR_INVALID_OPTIONS',
  });
  await expect(queue.add('x', {}, { dedupKey: 'k', dedupTtlMs: -1 })).rejects.toMatchObject({
    code: 'SLC_ERR_INVALID_OPTIONS',
  });
  expect((await queue.stats()).waiting).toBe(0);
});

it('dedupWindowMs counts from the add, whatever the holder state', async () => {
  const h = harness();
  const queue = h.queue('win');
  // a holder still delayed: inside the window it de-duplicates, after it a new job is created
  const first = await queue.add('x', {}, { dedupKey: 'w', dedupWindowMs: 400, delay: 60_000 });
  expect(await queue.add('x', {}, { dedupKey: 'w', dedupWindowMs: 400 })).toEqual({
    id: first.id,
    created: false,
  });
  await new Promise((r) => setTimeout(r, 500));
  const second = await queue.add('x', {}, { dedupKey: 'w', dedupWindowMs: 400 });
  expect(second.created).toBe(true);
  expect(second.id).not.toBe(first.id);
  expect((await queue.getJob(first.id))?.state).toBe('delayed');
  expect(await h.redis.hget(h.keys('win').dedup, 'w')).toBe(second.id);
  // a finished holder inside its window still de-duplicates (dedupTtlMs 0 would not)
  h.worker('win', async () => 'ok');
  const done = await queue.add('x', {}, { dedupKey: 'f', dedupWindowMs: 60_000 });
  await waitFor(async () => (await queue.getJob(done.id))?.state === 'completed', 'completed');
  expect(await queue.add('x', {}, { dedupKey: 'f', dedupWindowMs: 60_000 })).toEqual({
    id: done.id,
    created: false,
  });
  expect((await queue.add('x', {}, { dedupKey: 'f' })).created).toBe(true);
  await expect(
    queue.add('x', {}, { dedupKey: 'z', dedupWindowMs: 10, dedupTtlMs: 10 }),
  ).rejects.toMatchObject({ code: 'SLC_ERR_INVALID_OPTIONS' });
});
