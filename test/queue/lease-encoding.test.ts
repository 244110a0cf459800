/**
 * The lease hash stays a hashtable, whatever its size: as a listpack (Redis's encoding of a
 * small hash) every lookup of a busy worker's acks and fetches would walk all its fields.
 */
import { expect, it } from 'vitest';
import { LEASE_PAD_FIELD } from '../../src/redis/keys.js';
import { useHarness } from './helpers.js';

const h = useHarness();

it('is a hashtable from the first lease, and keeps only its pad field once every job is done', async () => {
  const q = h().queue('enc');
  const cmd = h().commands('enc');
  const key = h().keys('enc').lease;
  await q.add('x', null, { id: 'a' });
  const { jobs } = await cmd.fetch(1, 30_000, 'w:1');
  expect(jobs.map((j) => j.id)).toEqual(['a']);
  // one lease: Redis would keep a hash of one short field as a listpack
  expect(await h().redis.call('OBJECT', 'ENCODING', key)).toBe('hashtable');
  expect(await h().redis.hget(key, 'a')).toBe(jobs[0]!.token);
  const reply = await cmd.complete(
    [{ id: 'a', token: jobs[0]!.token, result: '' }],
    { count: 0, ageMs: 0 },
    0,
    30_000,
    'w:2',
  );
  expect(reply.stale).toEqual([]);
  expect(await h().redis.hkeys(key)).toEqual([LEASE_PAD_FIELD]);
  // the pad is no lease: nothing counts it as an active job
  expect(await q.stats()).toMatchObject({ active: 0, waiting: 0 });
});
