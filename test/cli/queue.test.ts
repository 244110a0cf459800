/**
 * One run test per queue command: `main` in-process over captured streams against a real server
 * and Redis; every change is checked through the library, not through the CLI's own output.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { cli, useCliServer, type CliServer } from './helpers.js';

const server = useCliServer();
const at = (s: CliServer) => ['--url', s.url];

/** Adds `n` jobs that fail at once (one attempt) and waits until all are failed. */
async function failedJobs(s: CliServer, queue: string, n: number): Promise<void> {
  const q = s.queue(queue);
  await q.addBulk(
    Array.from({ length: n }, (_, i) => ({
      name: 'x',
      data: i,
      opts: { id: `f${i}`, maxAttempts: 1 },
    })),
  );
  const w = s.worker(queue, async () => {
    throw new Error('boom');
  });
  await waitFor(async () => (await q.stats()).failed === n, `${n} failed jobs`);
  await w.close(0);
}

describe('queue commands', () => {
  it('queue ls: tab-separated rows when piped, aligned with a header on a terminal', async () => {
    const s = server();
    await s.queue('mail').add('send', { to: 'a' });
    await s.queue('sms').add('send', 1, { delay: 60_000 });
    const piped = await cli(['queue', 'ls', ...at(s)]);
    expect(piped).toMatchObject({ code: 0, err: '' });
    const lines = piped.out.trimEnd().split('\n');
    // The last column (oldest waiting age) moves with the clock.
    expect(lines.map((l) => l.split('\t').slice(0, 7).join(' '))).toEqual([
      'mail running 1 0 0 0 0',
      'sms running 0 0 1 0 0',
    ]);
    expect(lines[1]!.split('\t')[7]).toBe('-');
    const tty = await cli(['queue', 'ls', ...at(s)], {}, { stdoutTTY: true });
    expect(tty.out.split('\n')[0]).toMatch(/^QUEUE\s+STATE\s+WAITING\s+ACTIVE/);
    expect(tty.out).toMatch(/\nsms\s+running\s+0\s+0\s+1/);
    const json = await cli(['queue', 'ls', '--json', ...at(s)]);
    expect(JSON.parse(json.out).map((q: { name: string }) => q.name)).toEqual(['mail', 'sms']);
  });

  it('queue stats', async () => {
    const s = server();
    await s.queue('mail').add('send', 1);
    const r = await cli(['queue', 'stats', 'mail', '--json', ...at(s)]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ name: 'mail', waiting: 1, paused: false });
    const text = await cli(['queue', 'stats', 'mail', ...at(s)]);
    expect(text.out).toContain('waiting\t1\n');
    // a name the server's schema refuses is the caller's mistake: a usage error, exit 2
    const bad = await cli(['queue', 'stats', 'no spaces!', ...at(s)]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^SLC_ERR_BAD_REQUEST: /);
  });

  it('queue schedules: one row per schedule, JSON as the API returns it', async () => {
    const s = server();
    const q = s.queue('reports');
    const nightly = await q.schedule('nightly', { cron: '0 3 * * *', tz: 'Europe/Paris', data: 1 });
    await q.schedule('beat', { everyMs: 60_000, catchUp: 'none' });
    const piped = await cli(['queue', 'schedules', 'reports', ...at(s)]);
    expect(piped).toMatchObject({ code: 0, err: '' });
    const rows = piped.out
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(rows.map((r) => r.slice(0, 5))).toEqual([
      ['beat', '60000 ms', '-', 'beat', 'none'],
      ['nightly', '0 3 * * *', 'Europe/Paris', 'nightly', 'one'],
    ]);
    expect(rows[1]![5]).toBe(new Date(nightly.next).toISOString());
    const json = await cli(['queue', 'schedules', 'reports', '--json', ...at(s)]);
    expect(JSON.parse(json.out)).toEqual(await q.schedules());
  });

  it('queue jobs and queue job', async () => {
    const s = server();
    const q = s.queue('mail');
    await q.add('send', { to: 'a' }, { id: 'j1', meta: { account: 'acc1' } });
    await q.add('send', { to: 'b' }, { id: 'j2' });
    const list = await cli(['queue', 'jobs', 'mail', '--limit', '1', '--json', ...at(s)]);
    expect(JSON.parse(list.out)).toMatchObject({ total: 2, jobs: [{ id: expect.any(String) }] });
    const rows = await cli(['queue', 'jobs', 'mail', ...at(s)]);
    expect(
      rows.out
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[0])
        .sort(),
    ).toEqual(['j1', 'j2']);
    const one = await cli(['queue', 'job', 'mail', 'j1', ...at(s)]);
    expect(one.out).toContain('data\t{"to":"a"}\n');
    expect(one.out).toContain('meta\t{"account":"acc1"}\n');
    const missing = await cli(['queue', 'job', 'mail', 'nope', ...at(s)]);
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toMatch(/^SLC_ERR_JOB_NOT_FOUND: /);
  });

  it('queue pause and queue resume', async () => {
    const s = server();
    const q = s.queue('mail');
    await q.add('send', 1);
    expect((await cli(['queue', 'pause', 'mail', ...at(s)])).out).toBe('mail\tpaused\n');
    expect((await q.stats()).paused).toBe(true);
    const r = await cli(['queue', 'resume', 'mail', '--json', ...at(s)]);
    expect(JSON.parse(r.out)).toEqual({ queue: 'mail', paused: false });
    expect((await q.stats()).paused).toBe(false);
  });

  it('queue clear: removes waiting jobs (delayed ones when asked); a bar only on a terminal', async () => {
    const s = server();
    const q = s.queue('mail');
    await q.add('a', 1);
    await q.add('b', 2, { delay: 60_000 });
    const kept = await cli(['queue', 'clear', 'mail', '--yes', ...at(s)]);
    expect(kept).toMatchObject({ code: 0, out: '1\n' });
    expect(await q.stats()).toMatchObject({ waiting: 0, delayed: 1 });
    await q.add('a', 1);
    const args = ['queue', 'clear', 'mail', '--yes', '--include-delayed', ...at(s)];
    const r = await cli(args, {}, { stderrTTY: true });
    expect(r).toMatchObject({ code: 0, out: '2\n' });
    expect(r.err).toContain('clearing mail [');
    expect(await q.stats()).toMatchObject({ waiting: 0, delayed: 0 });
  });

  it('queue retry-failed: every failed job in chunks, with a progress bar on a terminal', async () => {
    const s = server();
    await failedJobs(s, 'dlq', 25);
    const r = await cli(
      ['queue', 'retry-failed', 'dlq', '--chunk', '10', ...at(s)],
      {},
      { stderrTTY: true },
    );
    expect(r).toMatchObject({ code: 0, out: '25\n' });
    expect(r.err).toContain('25/25');
    expect(await s.queue('dlq').stats()).toMatchObject({ failed: 0, waiting: 25 });
  });

  it('queue retry-failed --all-queues: every queue with failed jobs, a bar each', async () => {
    const s = server();
    await failedJobs(s, 'dlq-a', 12);
    await failedJobs(s, 'dlq-b', 3);
    await s.queue('fine').add('x', 1);
    const r = await cli(
      ['queue', 'retry-failed', '--all-queues', '--chunk', '5', ...at(s)],
      {},
      { stderrTTY: true },
    );
    expect(r).toMatchObject({ code: 0, out: 'dlq-a\t12\ndlq-b\t3\n' });
    expect(r.err).toContain('retrying dlq-a');
    expect(r.err).toContain('12/12');
    expect(r.err).toContain('3/3');
    expect(await s.queue('dlq-a').stats()).toMatchObject({ failed: 0, waiting: 12 });
    expect(await s.queue('dlq-b').stats()).toMatchObject({ failed: 0, waiting: 3 });
    const again = await cli(['queue', 'retry-failed', '--all-queues', '--json', ...at(s)]);
    expect(JSON.parse(again.out)).toEqual({ queues: [], retried: 0 });
    const both = await cli(['queue', 'retry-failed', 'dlq-a', '--all-queues', ...at(s)]);
    expect(both.code).toBe(2);
  });

  it('queue retry-failed: given ids only, and nothing on stderr when piped', async () => {
    const s = server();
    await failedJobs(s, 'dlq', 3);
    const r = await cli(['queue', 'retry-failed', 'dlq', 'f1', '--json', ...at(s)]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(r.out)).toEqual({ queue: 'dlq', retried: 1 });
    expect(await s.queue('dlq').stats()).toMatchObject({ failed: 2, waiting: 1 });
    // an id that is not failed, or not there, is named; the others are still retried: exit 1
    const some = await cli(['queue', 'retry-failed', 'dlq', 'f1', 'nope', 'f2', ...at(s)]);
    expect(some).toMatchObject({ code: 1, out: '1\n' });
    expect(some.err).toBe(
      'SLC_ERR_JOB_STATE: job f1 is waiting, not failed\nSLC_ERR_JOB_NOT_FOUND: job nope not found in queue dlq\n',
    );
    expect(await s.queue('dlq').stats()).toMatchObject({ failed: 1, waiting: 2 });
  });

  it('queue promote', async () => {
    const s = server();
    const q = s.queue('mail');
    await q.add('later', 1, { id: 'd1', delay: 60_000 });
    const r = await cli(['queue', 'promote', 'mail', 'd1', ...at(s)]);
    expect(r).toMatchObject({ code: 0, out: 'd1\ttrue\n' });
    expect((await q.getJob('d1'))?.state).toBe('waiting');
  });

  it('queue cancel: a waiting job is removed; an unknown id exits 1', async () => {
    const s = server();
    const q = s.queue('mail');
    await q.add('later', 1, { id: 'c1', delay: 60_000 });
    const r = await cli(['queue', 'cancel', 'mail', 'c1', ...at(s)]);
    expect(r).toMatchObject({ code: 0, out: 'c1\tremoved\n' });
    expect(await q.getJob('c1')).toBeUndefined();
    const missing = await cli(['queue', 'cancel', 'mail', 'nope', ...at(s)]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^SLC_ERR_JOB_NOT_FOUND: /);
    // several ids: one that fails is reported, the ones after it are still cancelled
    await q.add('later', 2, { id: 'c2', delay: 60_000 });
    await q.add('later', 3, { id: 'c3', delay: 60_000 });
    const some = await cli(['queue', 'cancel', 'mail', 'c2', 'nope', 'c3', ...at(s)]);
    expect(some).toMatchObject({ code: 1, out: 'c2\tremoved\nc3\tremoved\n' });
    expect(some.err).toMatch(/^SLC_ERR_JOB_NOT_FOUND: [^\n]*nope[^\n]*\n$/);
    expect(await q.getJob('c3')).toBeUndefined();
    // an id the server refuses as malformed is a usage error: the others still go, exit 2
    await q.add('later', 4, { id: 'c4', delay: 60_000 });
    const malformed = await cli(['queue', 'cancel', 'mail', 'bad id!', 'c4', ...at(s)]);
    expect(malformed).toMatchObject({ code: 2, out: 'c4\tremoved\n' });
    expect(malformed.err).toMatch(/^SLC_ERR_BAD_REQUEST: /);
  });

  it('queue remove: by id (missing ids reported, exit 1), and a whole state in pages', async () => {
    const s = server();
    await failedJobs(s, 'dlq', 4);
    const q = s.queue('dlq');
    const byId = await cli(['queue', 'remove', 'dlq', 'f0', 'nope', ...at(s)]);
    expect(byId).toMatchObject({ code: 1, out: '1\n' });
    expect(byId.err).toMatch(/^SLC_ERR_JOB_NOT_FOUND: /);
    expect(await q.getJob('f0')).toBeUndefined();
    const all = await cli([
      'queue',
      'remove',
      'dlq',
      '--state',
      'failed',
      '--yes',
      '--json',
      ...at(s),
    ]);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.out)).toEqual({ queue: 'dlq', removed: 3, failed: [] });
    expect((await q.stats()).failed).toBe(0);
  });

  it('queue remove --state waiting: past a page of tombstones, every waiting job goes', async () => {
    const s = server();
    const q = s.queue('tombs');
    // 2,200 added, 1,000 from the middle of the list removed by hand: their tombstones fill
    // the first window behind the next job to run
    const added = await q.addBulk(Array.from({ length: 2200 }, (_, i) => ({ data: i })));
    for (const a of added.slice(1, 1001)) await q.remove(a.id);
    expect((await q.stats()).waiting).toBe(1200);
    const r = await cli(['queue', 'remove', 'tombs', '--state', 'waiting', '--yes', ...at(s)]);
    expect(r).toMatchObject({ code: 0, out: '1200\n' });
    expect((await q.stats()).waiting).toBe(0);
  });
});
