/**
 * Scripts as Redis Functions on a real 3-master Cluster: each library is loaded on every master
 * before the first call, the calls are FCALLs on the master of the queue's slot, and a library
 * flushed on every master comes back without losing a job.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queue, Worker } from '../../src/index.js';
import { scriptForms } from '../../src/redis/scripts.js';
import { waitFor } from '../harness/context.js';
import { RedisClusterFixture } from '../harness/cluster.js';

let fixture: RedisClusterFixture;
let nodes: Redis[];

beforeAll(async () => {
  fixture = await RedisClusterFixture.start();
  nodes = fixture.nodes.map((n) => new Redis(n.port, '127.0.0.1'));
});
afterAll(async () => {
  nodes?.forEach((n) => n.disconnect());
  await fixture?.stop();
});

async function libraries(node: Redis): Promise<string[]> {
  const list = (await node.call('FUNCTION', 'LIST')) as unknown[][];
  return list.map((entry) => String(entry[1]));
}

async function calls(node: Redis, cmd: string): Promise<number> {
  const info = await node.info('commandstats');
  return Number(new RegExp(`^cmdstat_${cmd}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
}

async function sum(cmd: string): Promise<number> {
  let n = 0;
  for (const node of nodes) n += await calls(node, cmd);
  return n;
}

it('loads each library on every master and calls it by FCALL; a flush on all of them loses no job', async () => {
  const connection = { cluster: fixture.startupNodes };
  const queue = new Queue('fn-cluster', { connection });
  const worker = new Worker<{ i: number }>('fn-cluster', () => {}, { connection, idleWakeMs: 200 });
  const done: number[] = [];
  worker.on('completed', (job) => done.push(job.data.i));
  try {
    // the first calls go by EVAL while each library loads on every master
    for (let i = 0; i < 3; i++) await queue.add('j', { i });
    await waitFor(() => done.length === 3, 'the first jobs done');
    for (const node of nodes) {
      const libs = await libraries(node);
      for (const name of ['add_plain', 'fetch', 'complete'])
        expect(libs).toContain(scriptForms(name).fn);
    }
    // then they are FCALLs (each add, and each fetch or ack of its job)
    const fcalls = await sum('fcall');
    const evals = await sum('eval');
    for (let i = 3; i < 6; i++) await queue.add('j', { i });
    await waitFor(() => done.length === 6, 'the next jobs done');
    expect((await sum('fcall')) - fcalls).toBeGreaterThanOrEqual(3 * 2);

    for (const node of nodes) await node.call('FUNCTION', 'FLUSH');
    for (let i = 6; i < 11; i++) await queue.add('j', { i });
    await waitFor(() => done.length === 11, 'the jobs after the flush done');
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // the flush was felt (calls went again as EVAL) and got over: the libraries are back
    expect(await sum('eval')).toBeGreaterThan(evals);
    for (const node of nodes) expect(await libraries(node)).toContain(scriptForms('add_plain').fn);
  } finally {
    await worker.close();
    await queue.close();
  }
});
