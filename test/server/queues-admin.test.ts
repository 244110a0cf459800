/** Admin routes a BullMQ user reaches for: clear keeping delayed, promote-all, priorities, dedup, rerun. */
import { expect, it } from 'vitest';
import { Worker, type Queue } from '../../src/index.js';
import { call, useServer } from './helpers.js';

const server = useServer();

function queue(name: string): Queue {
  return server().ctx.queues.get(name);
}

it('clears waiting jobs and keeps delayed ones unless told, then promotes all', async () => {
  const s = server();
  const q = queue('adm');
  await q.add('x', 1, { id: 'w' });
  await q.add('x', 1, { id: 'd1', delay: 60_000 });
  await q.add('x', 1, { id: 'd2', delay: 60_000, priority: 'high' });
  expect((await call(s, 'POST', '/v1/queues/adm/clear')).body).toEqual({ removed: 1 });
  expect((await q.stats()).delayed).toBe(2);
  const one = await call(s, 'POST', '/v1/queues/adm/promote-all', { body: { limit: 1 } });
  expect(one.body).toEqual({ promoted: 1 });
  expect((await call(s, 'POST', '/v1/queues/adm/promote-all')).body).toEqual({ promoted: 1 });
  expect((await call(s, 'GET', '/v1/queues/adm/priorities')).body).toEqual({
    byPriority: { '10': 1, '0': 1 },
    grouped: 0,
  });
  await q.add('x', 1, { id: 'd3', delay: 60_000 });
  const all = await call(s, 'POST', '/v1/queues/adm/clear', { body: { keepDelayed: false } });
  expect(all.body).toEqual({ removed: 3 });
});

it('releases a de-dup key and re-runs a completed job', async () => {
  const s = server();
  const q = queue('adm2');
  await q.add('x', 1, { id: 'a', dedupKey: 'k' });
  const del = await call(s, 'POST', '/v1/queues/adm2/release-dedup-key', { body: { key: 'k' } });
  expect(del.body).toEqual({ key: 'k', removed: true });
  expect((await q.add('x', 1, { dedupKey: 'k' })).created).toBe(true);
  expect((await call(s, 'POST', '/v1/queues/adm2/jobs/a/rerun')).status).toBe(409);
  const w = new Worker('adm2', async () => 'ok', {
    connection: s.config.redisUrl,
    prefix: s.config.prefix,
  });
  for (let i = 0; i < 200 && (await q.stats()).completed < 2; i++)
    await new Promise((r) => setTimeout(r, 20));
  const rerun = await call(s, 'POST', '/v1/queues/adm2/jobs/a/rerun');
  expect(rerun.body).toEqual({ id: 'a', rerun: true });
  await w.close();
  expect((await call(s, 'POST', '/v1/queues/adm2/jobs/nope/rerun')).status).toBe(404);
});

it('changes a job that is not running: data, delay, priority', async () => {
  const s = server();
  const q = queue('mut');
  await q.add('x', { v: 1 }, { id: 'd', delay: 3_600_000 });
  const data = await call(s, 'PUT', '/v1/queues/mut/jobs/d/data', { body: { data: { v: 2 } } });
  expect(data.body).toEqual({ id: 'd', changed: true });
  expect((await q.getJob('d'))!.data).toEqual({ v: 2 });
  await call(s, 'PUT', '/v1/queues/mut/jobs/d/priority', { body: { priority: 'high' } });
  expect((await q.getJob('d'))!.priority).toBe(10);
  const delay = await call(s, 'PUT', '/v1/queues/mut/jobs/d/delay', { body: { delayMs: 0 } });
  expect(delay.status).toBe(200);
  await q.promoteAll();
  const again = await call(s, 'PUT', '/v1/queues/mut/jobs/d/delay', { body: { delayMs: 5 } });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('SLC_ERR_JOB_STATE');
  expect(
    (await call(s, 'PUT', '/v1/queues/mut/jobs/nope/data', { body: { data: 1 } })).status,
  ).toBe(404);
});
