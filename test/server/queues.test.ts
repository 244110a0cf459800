/** Queue routes over real HTTP: each answer checked against the library's own view. */
import { describe, expect, it } from 'vitest';
import { Queue, Worker } from '../../src/index.js';
import { call, useServer } from './helpers.js';

const server = useServer();

function queue(name: string): Queue {
  const s = server();
  return s.ctx.queues.get(name);
}

describe('queue routes', () => {
  it('adds one job (201, then 200 for the same id) and reads it back', async () => {
    const s = server();
    const body = { name: 'sync', data: { note: 7 }, id: 'note-7', meta: { userId: 'u1' } };
    const first = await call(s, 'POST', '/v1/queues/notes/jobs', { body });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: 'note-7', created: true });
    const again = await call(s, 'POST', '/v1/queues/notes/jobs', { body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: 'note-7', created: false });
    const job = await call(s, 'GET', '/v1/queues/notes/jobs/note-7');
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({
      id: 'note-7',
      queue: 'notes',
      name: 'sync',
      data: { note: 7 },
      meta: { userId: 'u1' },
      state: 'waiting',
      attemptsMade: 0,
      history: [],
    });
    expect((await queue('notes').getJob('note-7'))?.data).toEqual({ note: 7 });
  });

  it('adds many jobs with {jobs} and lists queues with their counts', async () => {
    const s = server();
    const r = await call(s, 'POST', '/v1/queues/bulk/jobs', {
      body: { jobs: [{ data: 1 }, { data: 2, delay: 60_000 }, { data: 3, priority: 'high' }] },
    });
    expect(r.status).toBe(201);
    expect(r.body.jobs).toHaveLength(3);
    await call(s, 'POST', '/v1/queues/other/jobs', { body: { data: null } });
    const list = await call(s, 'GET', '/v1/queues');
    expect(list.status).toBe(200);
    expect(list.body.queues.map((q: { name: string }) => q.name)).toEqual(['bulk', 'other']);
    expect(list.body.queues[0]).toMatchObject({ name: 'bulk', waiting: 2, delayed: 1 });
    const stats = await call(s, 'GET', '/v1/queues/bulk');
    expect(stats.body).toMatchObject({ waiting: 2, delayed: 1, paused: false });
  });

  it('pages jobs by state, promotes, removes, pauses and resumes', async () => {
    const s = server();
    const q = queue('ops');
    await q.add('a', 1, { id: 'later', delay: 60_000 });
    await q.add('b', 2, { id: 'now' });
    const page = await call(s, 'GET', '/v1/queues/ops/jobs?state=delayed&limit=10');
    expect(page.body).toMatchObject({ total: 1, jobs: [{ id: 'later', state: 'delayed' }] });
    expect((await call(s, 'POST', '/v1/queues/ops/jobs/later/promote')).body).toEqual({
      id: 'later',
      promoted: true,
    });
    expect((await q.getJob('later'))?.state).toBe('waiting');
    const again = await call(s, 'POST', '/v1/queues/ops/jobs/later/promote');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('SLC_ERR_JOB_STATE');
    expect((await call(s, 'DELETE', '/v1/queues/ops/jobs/now')).body).toEqual({
      id: 'now',
      removed: true,
    });
    expect(await q.getJob('now')).toBeUndefined();
    const gone = await call(s, 'DELETE', '/v1/queues/ops/jobs/now');
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('SLC_ERR_JOB_NOT_FOUND');
    expect((await call(s, 'POST', '/v1/queues/ops/pause')).body).toEqual({ paused: true });
    expect(await q.isPaused()).toBe(true);
    expect((await call(s, 'POST', '/v1/queues/ops/resume')).body).toEqual({ paused: false });
    expect(await q.isPaused()).toBe(false);
  });

  it('cancels a waiting job and a running one; the job view shows progress and logs', async () => {
    const s = server();
    const q = queue('cancel');
    await q.add('x', 1, { id: 'waiting' });
    expect((await call(s, 'POST', '/v1/queues/cancel/jobs/waiting/cancel')).body).toEqual({
      id: 'waiting',
      outcome: 'removed',
    });
    const gone = await call(s, 'POST', '/v1/queues/cancel/jobs/waiting/cancel');
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('SLC_ERR_JOB_NOT_FOUND');

    await q.add('x', 2, { id: 'running', timeoutMs: 60_000 });
    let reported!: () => void;
    const ready = new Promise<void>((r) => (reported = r));
    const w = new Worker(
      'cancel',
      async (job, ctx) => {
        await job.progress({ step: 1 });
        await job.log('started');
        reported();
        await new Promise((r) => ctx.signal.addEventListener('abort', r));
        throw ctx.signal.reason;
      },
      { connection: s.config.redisUrl, prefix: s.config.prefix },
    );
    await ready;
    const view = await call(s, 'GET', '/v1/queues/cancel/jobs/running');
    expect(view.body).toMatchObject({
      state: 'active',
      progress: { step: 1 },
      logs: ['started'],
      options: { timeoutMs: 60_000 },
    });
    expect((await call(s, 'POST', '/v1/queues/cancel/jobs/running/cancel')).body).toEqual({
      id: 'running',
      outcome: 'cancelling',
    });
    for (let i = 0; i < 100 && (await q.getJob('running'))?.state !== 'failed'; i++)
      await new Promise((r) => setTimeout(r, 20));
    const failed = await call(s, 'GET', '/v1/queues/cancel/jobs/running');
    expect(failed.body).toMatchObject({ state: 'failed', failedReason: 'cancelled' });
    const finished = await call(s, 'POST', '/v1/queues/cancel/jobs/running/cancel');
    expect(finished.status).toBe(409);
    await w.close();
  });

  it('retries failed jobs (all, or by id) and clears (failed too with includeFailed)', async () => {
    const s = server();
    const q = queue('dlq');
    await q.add('x', 1, { id: 'f1', maxAttempts: 1 });
    await q.add('x', 2, { id: 'f2', maxAttempts: 1 });
    const w = new Worker(
      'dlq',
      async () => {
        throw new Error('boom');
      },
      { connection: s.config.redisUrl, prefix: s.config.prefix },
    );
    w.on('error', () => {});
    for (let i = 0; i < 200 && (await q.stats()).failed < 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    await w.close();
    const failed = await call(s, 'GET', '/v1/queues/dlq/jobs/f1');
    expect(failed.body.state).toBe('failed');
    expect(failed.body.history[0]).toMatchObject({ error: 'boom' });
    expect(failed.body.history[0].stack).toContain('boom');
    const one = await call(s, 'POST', '/v1/queues/dlq/retry-failed', { body: { ids: ['f1'] } });
    expect(one.body).toEqual({ retried: 1 });
    expect((await call(s, 'POST', '/v1/queues/dlq/clear')).body).toEqual({ removed: 1 });
    expect((await q.stats()).failed).toBe(1);
    const all = await call(s, 'POST', '/v1/queues/dlq/clear', { body: { includeFailed: true } });
    expect(all.body).toEqual({ removed: 1 });
    expect(await q.stats()).toMatchObject({ waiting: 0, failed: 0 });
  });

  it('answers 404 SLC_ERR_NOT_FOUND for a queue no one has used, without making a handle', async () => {
    const s = server();
    for (const path of ['/v1/queues/nope', '/v1/queues/nope/jobs', '/v1/queues/nope/jobs/1']) {
      const r = await call(s, 'GET', path);
      expect(r.status, path).toBe(404);
      expect(r.body.error.code).toBe('SLC_ERR_NOT_FOUND');
    }
    expect((await call(s, 'POST', '/v1/queues/nope/pause')).status).toBe(404);
    expect(await s.ctx.registry.queues()).toEqual([]);
  });
});
