/**
 * Scenario 5 (outbound messages) with the archive: messages are enqueued through the outbox per
 * account (meta.entityId = the phone number), sent or failed with attempts and the last error,
 * copied to PostgreSQL by the archiver, and listed per account after Redis retention has
 * already removed most of them.
 */
import { afterEach, expect, it } from 'vitest';
import { Queue, UnrecoverableError, Worker } from '../../src/index.js';
import { Archive, Archiver, Outbox, Relay } from '../../src/outbox/index.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';
import { usePostgres } from './helpers.js';

const pg = usePostgres();
const open: { close?(): Promise<unknown>; stop?(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await (c.stop ?? c.close)!.call(c);
});

interface Sms {
  to: string;
  text: string;
}

it('scenario: outbound — one account’s messages listed from the archive, after retention', async () => {
  const db = await pg.db();
  const prefix = uniquePrefix();
  const outbox = new Outbox();
  const relay = new Relay({ pool: db.pool, connection: redisUrl(), prefix, pollMs: 100 });
  const sms = new Queue<Sms>('sms', { connection: redisUrl(), prefix });
  const worker = new Worker<Sms>(
    'sms',
    async (job) => {
      if (job.data.text.startsWith('bad')) throw new UnrecoverableError('carrier rejected: 21610');
      if (job.data.text.startsWith('flaky') && job.attemptsMade === 0) throw new Error('timeout');
      return { sid: `SM${job.id}` };
    },
    {
      connection: redisUrl(),
      prefix,
      retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 10 } },
      keepCompleted: { count: 3 }, // Redis keeps little; the archive keeps everything
      keepFailed: { count: 2 }, // at least the failures of one archive interval
    },
  );
  worker.on('error', () => {});
  const archiver = new Archiver({ pool: db.pool, queues: [sms], pageSize: 2 });
  const archive = new Archive(db.pool);
  open.push(sms, worker, relay);
  relay.start();

  const A = '+15550100';
  const B = '+15550199';
  const round = async (texts: [string, string][]) => {
    const before = (await sms.stats()).totals;
    await db.tx(async (tx) => {
      for (const [to, text] of texts)
        await outbox.add(tx, 'sms', 'send', { to, text }, { meta: { entityId: to } });
    });
    await waitFor(async () => {
      const t = (await sms.stats()).totals;
      return t.completed + t.failed - before.completed - before.failed === texts.length;
    }, 'round finished');
    await archiver.runOnce(); // more often than retention removes: nothing is missed
  };
  await round([
    [A, 'hello 1'],
    [B, 'other 1'],
    [A, 'bad 2'],
    [A, 'flaky 3'],
  ]);
  await round([
    [A, 'hello 4'],
    [B, 'bad other'],
    [A, 'hello 5'],
    [A, 'bad 6'],
  ]);
  const inRedis = await sms.stats();
  expect(inRedis.completed + inRedis.failed).toBeLessThan(8); // retention removed some

  const { jobs } = await archive.list({ queue: 'sms', entityId: A });
  expect(jobs.map((j) => j.data)).toEqual(
    expect.arrayContaining(
      ['hello 1', 'bad 2', 'flaky 3', 'hello 4', 'hello 5', 'bad 6'].map((text) => ({
        to: A,
        text,
      })),
    ),
  );
  expect(jobs).toHaveLength(6);
  // newest first
  const times = jobs.map((j) => j.finishedAt.getTime());
  expect([...times].sort((x, y) => y - x)).toEqual(times);
  const byText = new Map(jobs.map((j) => [(j.data as Sms).text, j]));
  expect(byText.get('bad 2')).toMatchObject({
    state: 'failed',
    attempts: 1,
    lastError: 'carrier rejected: 21610',
  });
  expect(byText.get('flaky 3')).toMatchObject({
    state: 'completed',
    attempts: 2,
    lastError: 'timeout',
  });
  expect(byText.get('hello 1')).toMatchObject({
    state: 'completed',
    attempts: 1,
    lastError: null,
    meta: { entityId: A },
  });
  expect(byText.get('hello 1')!.result).toEqual({ sid: `SM${byText.get('hello 1')!.id}` });

  // Filters and paging.
  expect((await archive.list({ queue: 'sms', entityId: A, state: 'failed' })).jobs).toHaveLength(2);
  expect((await archive.list({ queue: 'sms', meta: { entityId: B } })).jobs).toHaveLength(2);
  const p1 = await archive.list({ queue: 'sms', entityId: A, limit: 4 });
  const p2 = await archive.list({ queue: 'sms', entityId: A, limit: 4, after: p1.next! });
  expect(p2.next).toBeUndefined();
  expect([...p1.jobs, ...p2.jobs].map((j) => j.id)).toEqual(jobs.map((j) => j.id));
  // an Invalid Date or a cursor past what a Date holds: the caller's error, before any query
  for (const bad of [{ since: new Date(NaN) }, { until: new Date('nope') }, { after: '1e300.x' }])
    await expect(archive.list({ queue: 'sms', ...bad })).rejects.toMatchObject({
      code: 'SLC_ERR_INVALID_OPTIONS',
    });

  // The last 90 days only (by default): an old message is archived but not listed.
  await db.pool.query(
    `UPDATE sluice.job_archive SET finished_at = now() - interval '91 days' WHERE data->>'text' = 'hello 1'`,
  );
  expect((await archive.list({ queue: 'sms', entityId: A })).jobs).toHaveLength(5);
  expect(await archive.prune(new Date(Date.now() - 90 * 86_400_000))).toBe(1);

  // Another pass rewrites what it re-reads, never adds a second row per job.
  await archiver.runOnce();
  const { rows } = await db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM sluice.job_archive',
  );
  expect(rows[0]!.n).toBe(7);
});

it('the archiver on a timer: start / stop; failed passes are counted and retried', async () => {
  const db = await pg.db();
  const prefix = uniquePrefix();
  const q = new Queue('timed', { connection: redisUrl(), prefix });
  open.push(q);
  const archiver = new Archiver({ pool: db.pool, queues: [q], intervalMs: 50 });
  open.push(archiver);
  archiver.start();
  await waitFor(() => archiver.stats.passes >= 2, 'two passes');
  await db.pool.query('ALTER TABLE sluice.job_archive RENAME TO gone');
  const w = new Worker('timed', async () => 'ok', { connection: redisUrl(), prefix });
  open.push(w);
  await q.add('x', 1);
  await waitFor(() => archiver.stats.errors >= 1, 'a failed pass');
  expect(archiver.lastError).toMatchObject({ code: 'SLC_ERR_DATABASE' });
  await db.pool.query('ALTER TABLE sluice.gone RENAME TO job_archive');
  await waitFor(() => archiver.stats.archived >= 1, 'archived after recovery');
});
