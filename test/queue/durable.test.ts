/**
 * `durable` on one Redis without replicas: the add is applied, but no replica confirms it, so the
 * call rejects with `SLC_ERR_NOT_REPLICATED` (listing the ids) after `timeoutMs`. The fail-over
 * half of the story (0 acknowledged adds lost) is `test/crash/failover.test.ts`.
 */
import { expect, it } from 'vitest';
import { Queue, ReplicationError, SluiceError } from '../../src/index.js';
import { redisUrl, uniquePrefix } from '../harness/context.js';

it('an add no replica confirms rejects with SLC_ERR_NOT_REPLICATED; the job is on the primary', async () => {
  const queue = new Queue('durable', {
    connection: redisUrl(),
    prefix: uniquePrefix(),
    durable: { replicas: 1, timeoutMs: 50 },
  });
  try {
    const err = await queue.add('x', { a: 1 }, { id: 'd-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplicationError);
    expect(err).toMatchObject({
      code: 'SLC_ERR_NOT_REPLICATED',
      jobIds: ['d-1'],
      replicas: 0,
      required: 1,
    });
    const bulk = await queue
      .addBulk([{ data: 1, opts: { id: 'd-2' } }, { data: 2 }])
      .catch((e: unknown) => e);
    expect((bulk as ReplicationError).jobIds).toHaveLength(2);
    expect((bulk as ReplicationError).jobIds[0]).toBe('d-2');
    // Applied on the primary: a retry with the same id adds nothing.
    expect((await queue.getJob('d-1'))?.state).toBe('waiting');
    expect((await queue.stats()).waiting).toBe(3);
  } finally {
    await queue.close();
  }
});

it('durable options are checked', () => {
  const bad = (durable: unknown) => {
    try {
      new Queue('durable', { connection: redisUrl(), durable } as never);
    } catch (err) {
      return (err as SluiceError).message;
    }
    return 'accepted';
  };
  expect(bad({ replicas: 0 })).toContain('durable.replicas');
  expect(bad({})).toContain('durable.replicas is required');
  expect(bad({ replicas: 1, timeoutMs: 0 })).toContain('durable.timeoutMs');
  expect(bad({ replicas: 1, timeout: 5 })).toContain('timeoutMs');
  expect(bad(true)).toContain('durable must be an object');
});
