/**
 * The relay is kill -9-ed mid-batch — after it handed a batch to Redis, before its transaction
 * deleted the rows and committed — and a new relay starts: the rows come back (the dead
 * session's transaction rolled back), are re-sent under the same job ids, and the queue sees
 * every job once: 0 lost, 0 duplicates, in order.
 */
import { afterEach, expect, it } from 'vitest';
import { Queue, Worker } from '../../src/index.js';
import { Outbox } from '../../src/outbox/index.js';
import { report, tally } from '../crash/accounting.js';
import { spawnFixture, type Child } from '../crash/process.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';
import { outboxRows, usePostgres } from './helpers.js';

const pg = usePostgres();
const children: Child[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await c.kill9();
});
const relay = (env: Record<string, string>, seen: Record<string, unknown>[]) => {
  // spawnFixture resolves files under test/crash/fixtures/
  const c = spawnFixture('../../outbox/fixtures/relay.ts', env, (m) => seen.push(m));
  children.push(c);
  return c;
};

it('a relay kill -9-ed between the Redis hand-off and its commit loses nothing and duplicates nothing', async () => {
  const db = await pg.db();
  const prefix = uniquePrefix();
  const N = 50;
  const outbox = new Outbox();
  await db.tx(async (tx) => {
    for (let i = 0; i < N; i++) await outbox.add(tx, 'crash', 'n', i);
  });
  // Hold the relay's DELETE (so its commit) until we let go: a trigger that waits on a lock we hold.
  const gate = await db.pool.connect();
  await gate.query('SELECT pg_advisory_lock(4242)');
  await db.pool.query(`
    CREATE FUNCTION sluice.gate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_advisory_lock_shared(4242); PERFORM pg_advisory_unlock_shared(4242); RETURN OLD; END $$;
    CREATE TRIGGER gate BEFORE DELETE ON sluice.outbox FOR EACH ROW EXECUTE FUNCTION sluice.gate();`);
  const queue = new Queue('crash', { connection: redisUrl(), prefix });
  try {
    const env = { PG_URL: db.url, REDIS_URL: redisUrl(), PREFIX: prefix, BATCH: '20' };
    const firstSeen: Record<string, unknown>[] = [];
    const first = relay(env, firstSeen);
    await first.waitFor((m) => m.ready === true);
    // The first batch is in Redis, its rows are not deleted yet: the relay is mid-batch.
    await waitFor(async () => (await queue.stats()).waiting === 20, 'first batch in Redis');
    expect(await outboxRows(db.pool)).toBe(N);
    await first.kill9();
    expect(firstSeen.filter((m) => 'delivered' in m)).toEqual([]); // it never committed
    await gate.query('SELECT pg_advisory_unlock(4242)');
    gate.release();

    const secondSeen: Record<string, unknown>[] = [];
    relay(env, secondSeen);
    await waitFor(async () => (await outboxRows(db.pool)) === 0, 'outbox drained', 20_000);
    // The relay reports each step after its commit: the last report may trail the drain.
    const delivered = () =>
      secondSeen.filter((m) => 'delivered' in m).reduce((n, m) => n + (m.delivered as number), 0);
    await waitFor(() => delivered() >= N, 'every step reported');
    const steps = secondSeen.filter((m) => 'delivered' in m);
    expect(delivered()).toBe(N);
    // The 20 rows of the killed batch were re-sent and recognised; nothing else was.
    expect(steps.reduce((n, m) => n + (m.repeated as number), 0)).toBe(20);

    const { total, jobs } = await queue.getJobs('waiting', { limit: 100 });
    expect(total).toBe(N);
    expect(jobs.map((j) => j.data)).toEqual([...Array(N).keys()]);
    const ids = jobs.map((j) => j.id);
    const worker = new Worker('crash', async () => {}, {
      connection: redisUrl(),
      prefix,
      keepCompleted: { count: 1000 },
    });
    await waitFor(async () => (await queue.stats()).completed === N, 'all jobs completed');
    await worker.close();
    const t = await tally(redisUrl(), prefix, 'crash', ids);
    report('outbox relay kill -9 mid-batch', t);
    expect(t).toMatchObject({ expected: N, completed: N, lost: 0, duplicates: 0 });
  } finally {
    await queue.close();
  }
});
