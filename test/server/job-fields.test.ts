/** The job view carries the BullMQ-style job fields of issue 13: each compared with `getJob`. */
import { describe, expect, it } from 'vitest';
import { Worker, type Processor, type Queue } from '../../src/index.js';
import { call, useServer, type TestServer } from './helpers.js';

const server = useServer();

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 250 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
}

function worker(s: TestServer, name: string, fn: Processor<unknown, unknown>) {
  const w = new Worker(name, fn, {
    connection: s.config.redisUrl,
    prefix: s.config.prefix,
    retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 60_000 } },
  });
  w.on('error', () => {});
  return w;
}

describe('job view fields', () => {
  it('a job waiting to retry shows attemptsMade/Started, processedOn, failedReason, progress, logs', async () => {
    const s = server();
    const q: Queue = s.ctx.queues.get('fields');
    await q.add('x', 1, { id: 'r1' });
    const w = worker(s, 'fields', async (job) => {
      await job.progress(40);
      await job.log('step one');
      throw new Error('upstream 503');
    });
    await until(async () => (await q.getJob('r1'))?.state === 'delayed');
    await w.close();
    const lib = (await q.getJob('r1'))!;
    const view = await call(s, 'GET', '/v1/queues/fields/jobs/r1');
    expect(view.body).toMatchObject({
      state: 'delayed',
      attemptsMade: 1,
      attemptsStarted: 1,
      processedOn: lib.processedOn,
      failedReason: 'upstream 503',
      progress: 40,
      logs: ['step one'],
    });
    expect(view.body.processedOn).toEqual(expect.any(Number));
    expect(view.body.history[0].startedAt).toBe(lib.processedOn);
    expect(view.body).not.toHaveProperty('finishedOn');
  });

  it('a failed job shows finishedOn; a running one its processedOn and attemptsStarted', async () => {
    const s = server();
    const q: Queue = s.ctx.queues.get('fields2');
    await q.add('x', 1, { id: 'dead', maxAttempts: 1 });
    const w = worker(s, 'fields2', async (job) => {
      if (job.id === 'dead') throw new Error('bad input');
      await new Promise((r) => setTimeout(r, 60_000));
    });
    await until(async () => (await q.getJob('dead'))?.state === 'failed');
    const dead = await call(s, 'GET', '/v1/queues/fields2/jobs/dead');
    const lib = (await q.getJob('dead'))!;
    expect(dead.body).toMatchObject({
      state: 'failed',
      attemptsMade: 1,
      attemptsStarted: 1,
      finishedOn: lib.finishedOn,
      processedOn: lib.processedOn,
      failedReason: 'bad input',
    });
    expect(dead.body.finishedOn).toEqual(expect.any(Number));
    await q.add('x', 2, { id: 'busy' });
    await until(async () => (await q.getJob('busy'))?.state === 'active');
    const busy = await call(s, 'GET', '/v1/queues/fields2/jobs/busy');
    expect(busy.body).toMatchObject({ state: 'active', attemptsMade: 0, attemptsStarted: 1 });
    expect(busy.body.processedOn).toBe((await q.getJob('busy'))!.processedOn);
    expect(busy.body.processedOn).toEqual(expect.any(Number));
    await w.close(0);
  });
});
