/**
 * The server's database side on a real PostgreSQL: with `DATABASE_URL` and `relay`, committed
 * outbox rows reach the queue, `/metrics` shows the relay's lag, and
 * `GET /v1/queues/{q}/archive` lists the job archive (per entity, by state, paged); without a
 * database the archive answers 404. `sluice db migrate` migrates from `DATABASE_URL` or a file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from '../../src/outbox/index.js';
import { createServer, resolveConfig, type SluiceServer } from '../../src/server/index.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';
import { usePostgres } from '../outbox/helpers.js';
import { cli } from '../cli/helpers.js';

const pg = usePostgres();
let server: SluiceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(env: Record<string, string>) {
  const config = resolveConfig(
    { port: 0, logLevel: 'silent' },
    { REDIS_URL: redisUrl(), SLUICE_PREFIX: uniquePrefix(), ...env },
  );
  server = await createServer({ config });
  const base = await server.listen();
  const get = async (path: string) => {
    const r = await fetch(base + path);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  return { server, base, get };
}

function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('server with a database', () => {
  it('runs the relay: committed rows reach the queue; the lag shows in /metrics', async () => {
    const db = await pg.db();
    const { server: s, base } = await start({ DATABASE_URL: db.url, SLUICE_RELAY: 'true' });
    const outbox = new Outbox();
    await db.tx((tx) => outbox.add(tx, 'sms', 'send', { to: '+1' }, { id: 'm1' }));
    const q = s.context.queues.get('sms');
    await waitFor(async () => (await q.getJob('m1')) !== undefined, 'relayed');
    expect((await q.getJob('m1'))?.data).toEqual({ to: '+1' });

    await s.context.outbox!.relay!.stop();
    await db.tx((tx) => outbox.add(tx, 'sms', 'send', { to: '+2' }, { id: 'm2' }));
    await db.tx((tx) => outbox.add(tx, 'sms', 'send', { to: '+3' }, { id: 'm3' }));
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'sluice_outbox_lag_rows')).toBe(2);
    expect(sample(text, 'sluice_outbox_oldest_seconds')).toBeGreaterThanOrEqual(0);
    expect(await q.getJob('m2')).toBeUndefined();
  });

  it('serves the archive: per entity, by state, newest first, paged by cursor', async () => {
    const db = await pg.db();
    const { get } = await start({ DATABASE_URL: db.url });
    const t0 = Date.UTC(2030, 0, 1);
    for (let i = 0; i < 5; i++)
      await db.pool.query(
        `INSERT INTO sluice.job_archive (queue, id, state, name, data, meta, entity_id, attempts,
           last_error, created_at, finished_at)
         VALUES ('sms', $1, $2, 'send', $3, $4, $5, $6, $7, $8, $9)`,
        [
          `j${i}`,
          i === 3 ? 'failed' : 'completed',
          JSON.stringify({ n: i }),
          JSON.stringify({ entityId: i === 4 ? 'acct-2' : 'acct-1' }),
          i === 4 ? 'acct-2' : 'acct-1',
          i === 3 ? 3 : 1,
          i === 3 ? 'provider 503' : null,
          new Date(t0 + i * 1000 - 500),
          new Date(t0 + i * 1000),
        ],
      );
    const since = t0 - 60_000;
    const first = await get(`/v1/queues/sms/archive?entityId=acct-1&since=${since}&limit=2`);
    expect(first.status).toBe(200);
    const jobs = first.body.jobs as { id: string; finishedAt: number }[];
    expect(jobs.map((j) => j.id)).toEqual(['j3', 'j2']);
    expect(jobs[0]).toMatchObject({ state: 'failed', attempts: 3, lastError: 'provider 503' });
    expect(jobs[0]!.finishedAt).toBe(t0 + 3000);
    const next = first.body.next as string;
    const second = await get(
      `/v1/queues/sms/archive?entityId=acct-1&since=${since}&limit=2&after=${encodeURIComponent(next)}`,
    );
    expect((second.body.jobs as { id: string }[]).map((j) => j.id)).toEqual(['j1', 'j0']);
    const failed = await get(`/v1/queues/sms/archive?state=failed&since=${since}`);
    expect((failed.body.jobs as { id: string }[]).map((j) => j.id)).toEqual(['j3']);
    expect(failed.body.next).toBeUndefined();
    const badCursor = await get(`/v1/queues/sms/archive?after=nope`);
    expect(badCursor.status).toBe(400);
    // times no Date holds are the caller's mistake (400), not the database's (503)
    for (const q of ['since=9000000000000000', `after=${encodeURIComponent('1e300.j1')}`]) {
      const r = await get(`/v1/queues/sms/archive?${q}`);
      expect(r.status, q).toBe(400);
      expect((r.body.error as { code: string }).code, q).toMatch(
        /^SLC_ERR_(BAD_REQUEST|INVALID_OPTIONS)$/,
      );
    }
  });

  it('answers 404 for the archive without a database, and shows no outbox metrics', async () => {
    const { get, base } = await start({});
    const r = await get('/v1/queues/sms/archive');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { code: 'SLC_ERR_NOT_FOUND' } });
    expect(await (await fetch(`${base}/metrics`)).text()).not.toContain('sluice_outbox_');
  });
});

describe('sluice db migrate', () => {
  it('migrates from DATABASE_URL or a file, and is a no-op the second time', async () => {
    const url = await pg.server().createDatabase(`m${Date.now().toString(36)}`);
    const first = await cli(['db', 'migrate', '--json'], { DATABASE_URL: url });
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(first.out)).toEqual({ version: 2, applied: ['outbox', 'archive'] });
    const dir = mkdtempSync(join(tmpdir(), 'sluice-db-'));
    writeFileSync(join(dir, 'url'), `${url}\n`);
    const again = await cli(
      ['db', 'migrate', '--database-url-file', join(dir, 'url')],
      {},
      {
        readFile: async (p) => (await import('node:fs/promises')).readFile(p, 'utf8'),
      },
    );
    expect(again).toMatchObject({ code: 0, out: 'version\t2\napplied\tnone (up to date)\n' });
    const onArgv = await cli(['db', 'migrate', '--database-url', url]);
    expect(onArgv.code).toBe(2);
    expect(onArgv.err).toContain('secrets never go on the command line');
    expect(onArgv.err).not.toContain(url);
    const none = await cli(['db', 'migrate'], {});
    expect(none.code).toBe(2);
    expect(none.err).toContain('DATABASE_URL');
  });
});
