/**
 * The outbox on a real PostgreSQL: a committed transaction's job / entry reaches Redis, a rolled
 * back one never does; rows are deleted after the hand-off, in order; the relay wakes on NOTIFY;
 * a row the library refuses goes to `outbox_dead` without blocking the rows behind it; lag.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Queue, Streams } from '../../src/index.js';
import { Outbox, Relay, migrate, migrations } from '../../src/outbox/index.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';
import { outboxRows, usePostgres } from './helpers.js';

const pg = usePostgres();
const outbox = new Outbox();
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});
function relayFor(
  pool: Relay['options']['pool'],
  prefix: string,
  opts: Partial<Relay['options']> = {},
) {
  const relay = new Relay({ pool, connection: redisUrl(), prefix, pollMs: 200, ...opts });
  open.push({ close: () => relay.stop() });
  return relay;
}
function queue(name: string, prefix: string) {
  const q = new Queue(name, { connection: redisUrl(), prefix });
  open.push(q);
  return q;
}

describe('migrate', () => {
  it('applies every shipped file once, records versions, and is safe to run concurrently', async () => {
    const db = await pg.db(); // migrated once already
    const again = await Promise.all([migrate(db.pool), migrate(db.pool), migrate(db.pool)]);
    expect(again.map((r) => r.applied)).toEqual([[], [], []]);
    const { rows } = await db.pool.query(
      'SELECT version, name FROM sluice.schema_migrations ORDER BY 1',
    );
    expect(rows).toEqual(migrations().map((m) => ({ version: m.version, name: m.name })));
    expect(rows.map((r) => r.name)).toEqual(['outbox', 'archive']);
    const other = await migrate(db.pool, { schema: 'other_app' });
    expect(other).toEqual({ version: 2, applied: ['outbox', 'archive'] });
  });

  it('refuses a database migrated by a newer Sluice', async () => {
    const db = await pg.db();
    await db.pool.query(
      `INSERT INTO sluice.schema_migrations (version, name) VALUES (999, 'future')`,
    );
    await expect(migrate(db.pool)).rejects.toMatchObject({ code: 'SLC_ERR_SCHEMA_VERSION' });
  });
});

describe('outbox.add / publish', () => {
  it('a committed job reaches the queue once; a rolled-back one never does', async () => {
    const db = await pg.db();
    const prefix = uniquePrefix();
    await db.tx(async (tx) => {
      await outbox.add(tx, 'mail', 'send', { to: 'a' }, { meta: { entityId: 'acct-1' } });
      await outbox.add(tx, 'mail', 'send', [1, 2, 3]); // a top-level array stays an array
    });
    await expect(
      db.tx(async (tx) => {
        await outbox.add(tx, 'mail', 'send', { to: 'rolled-back' });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const relay = relayFor(db.pool, prefix);
    const moved = await relay.runOnce();
    expect(moved).toBe(2);
    expect(await outboxRows(db.pool)).toBe(0);
    const { jobs } = await queue('mail', prefix).getJobs('waiting', { limit: 10 });
    expect(jobs.map((j) => j.data)).toEqual([{ to: 'a' }, [1, 2, 3]]);
    expect(jobs[0]!.meta).toEqual({ entityId: 'acct-1' });
    expect(jobs[0]!.id).toMatch(/^ob-[0-9a-f]{10}-\d+$/);
    expect(relay.stats).toMatchObject({ delivered: 2, repeated: 0, dead: 0 });
  });

  it('a committed entry is published once under a derived idempotency key; rollback publishes none', async () => {
    const db = await pg.db();
    const prefix = uniquePrefix();
    await db.tx((tx) => outbox.publish(tx, 'conv:1', { text: 'one' }));
    await db.tx(async (tx) => {
      await outbox.publish(tx, 'conv:1', { text: 'two' });
      await outbox.publish(tx, 'conv:1', { text: 'three' }, { idempotencyKey: 'mine-3' });
    });
    await db
      .tx(async (tx) => {
        await outbox.publish(tx, 'conv:1', { text: 'never' });
        throw new Error('abort');
      })
      .catch(() => {});
    await relayFor(db.pool, prefix).runOnce();
    const streams = new Streams({ connection: redisUrl(), prefix });
    open.push(streams);
    const page = await streams.topic('conv:1').range({ after: '0' });
    expect(page.entries.map((e) => e.data)).toEqual([
      { text: 'one' },
      { text: 'two' },
      { text: 'three' },
    ]);
    // The same key again (a re-send) appends nothing.
    const dup = await streams
      .topic('conv:1')
      .publish({ text: 'three' }, { idempotencyKey: 'mine-3' });
    expect(dup.duplicate).toBe(true);
  });

  it('checks names and options in the caller’s transaction, before any row is written', async () => {
    const db = await pg.db();
    await db.tx(async (tx) => {
      await expect(outbox.add(tx, 'bad name', 'x', {})).rejects.toMatchObject({
        code: 'SLC_ERR_INVALID_OPTIONS',
      });
      await expect(outbox.add(tx, 'q', 'x', {}, { jobId: 'a' } as never)).rejects.toMatchObject({
        code: 'SLC_ERR_INVALID_OPTIONS',
      });
      await expect(outbox.publish(tx, 't', 1n)).rejects.toMatchObject({
        code: 'SLC_ERR_PAYLOAD_NOT_SERIALISABLE',
      });
    });
    expect(await outboxRows(db.pool)).toBe(0);
  });

  it('a PostgreSQL failure is SLC_ERR_DATABASE', async () => {
    const db = await pg.db();
    await db.pool.query('DROP TABLE sluice.outbox');
    await expect(outbox.add(db.pool, 'q', 'x', {})).rejects.toMatchObject({
      code: 'SLC_ERR_DATABASE',
    });
  });
});

describe('relay', () => {
  it('delivers in row order across transactions and batches, then deletes the rows', async () => {
    const db = await pg.db();
    const prefix = uniquePrefix();
    for (let t = 0; t < 5; t++)
      await db.tx(async (tx) => {
        for (let i = 0; i < 7; i++) await outbox.add(tx, 'ordered', 'n', t * 7 + i);
      });
    const relay = relayFor(db.pool, prefix, { batchSize: 4 });
    let total = 0;
    for (let moved; (moved = await relay.runOnce());) total += moved;
    expect(total).toBe(35);
    const { jobs } = await queue('ordered', prefix).getJobs('waiting', { limit: 100 });
    expect(jobs.map((j) => j.data)).toEqual([...Array(35).keys()]);
    expect(relay.stats.steps).toBe(9); // ceil(35 / 4)
    expect(await outboxRows(db.pool)).toBe(0);
  });

  it('wakes on NOTIFY at commit, long before its poll interval', async () => {
    const db = await pg.db();
    const prefix = uniquePrefix();
    const relay = relayFor(db.pool, prefix, { pollMs: 3_600_000 });
    relay.start();
    const q = queue('woken', prefix);
    await new Promise((r) => setTimeout(r, 300)); // the relay's first pass is done; it sleeps
    await db.tx((tx) => outbox.add(tx, 'woken', 'x', { n: 1 }));
    await waitFor(async () => (await q.stats()).waiting === 1, 'job delivered on NOTIFY', 5000);
  });

  it('starts again after a stop, and listens again', async () => {
    const db = await pg.db();
    const prefix = uniquePrefix();
    const relay = relayFor(db.pool, prefix, { pollMs: 3_600_000 });
    relay.start();
    await new Promise((r) => setTimeout(r, 200));
    await relay.stop();
    relay.start();
    await new Promise((r) => setTimeout(r, 300));
    await db.tx((tx) => outbox.add(tx, 'restarted', 'x', 1));
    const q = queue('restarted', prefix);
    await waitFor(async () => (await q.stats()).waiting === 1, 'delivered after a restart', 5000);
  });

  it('polls when it does not listen', async () => {
    const db = await pg.db();
    const prefix = uniquePrefix();
    const relay = relayFor(db.pool, prefix, { listen: false, pollMs: 100 });
    relay.start();
    await new Promise((r) => setTimeout(r, 200));
    await db.tx((tx) => outbox.add(tx, 'polled', 'x', 1));
    const q = queue('polled', prefix);
    await waitFor(async () => (await q.stats()).waiting === 1, 'job delivered by polling', 5000);
  });

  it('moves a row the library refuses to outbox_dead and delivers the rows behind it', async () => {
    const db = await pg.db();
    const prefix = uniquePrefix();
    await db.tx(async (tx) => {
      await outbox.add(tx, 'poison', 'x', 1);
      await outbox.add(tx, 'poison', 'x', 2, { id: '12345' }); // all digits: refused by add
      await outbox.add(tx, 'poison', 'x', 3);
    });
    const relay = relayFor(db.pool, prefix);
    await relay.runOnce();
    const { jobs } = await queue('poison', prefix).getJobs('waiting', { limit: 10 });
    expect(jobs.map((j) => j.data)).toEqual([1, 3]);
    const { rows } = await db.pool.query('SELECT data, error FROM sluice.outbox_dead');
    expect(rows).toEqual([{ data: 2, error: expect.stringContaining('SLC_ERR_INVALID_OPTIONS') }]);
    expect(await outboxRows(db.pool)).toBe(0);
    expect(relay.stats).toMatchObject({ delivered: 2, dead: 1 });
  });

  it('reports lag: rows waiting and the age of the oldest', async () => {
    const db = await pg.db();
    const prefix = uniquePrefix();
    const relay = relayFor(db.pool, prefix);
    expect(await relay.lag()).toEqual({ rows: 0, oldestSeconds: 0 });
    await db.tx(async (tx) => {
      for (let i = 0; i < 3; i++) await outbox.add(tx, 'lagging', 'x', i);
    });
    await db.pool.query(
      `UPDATE sluice.outbox SET created_at = now() - interval '90 seconds' WHERE id = (SELECT min(id) FROM sluice.outbox)`,
    );
    const lag = await relay.lag();
    expect(lag.rows).toBe(3);
    expect(lag.oldestSeconds).toBeGreaterThanOrEqual(90);
    expect(lag.oldestSeconds).toBeLessThan(120);
    await relay.runOnce();
    expect(await relay.lag()).toEqual({ rows: 0, oldestSeconds: 0 });
  });
});

it('sluice/outbox exports exactly the curated names', async () => {
  const face = await import('../../src/outbox/index.js');
  expect(Object.keys(face).sort()).toEqual([
    'Archive',
    'Archiver',
    'DEFAULT_SCHEMA',
    'Outbox',
    'Relay',
    'migrate',
    'migrations',
  ]);
});
