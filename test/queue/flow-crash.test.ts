/**
 * A worker process killed (SIGKILL) after its child job completed and before any relay moved the
 * completion to the parent: the message waits in the child queue's outbox, and the next relay
 * releases the parent, exactly once.
 */
import { expect, it } from 'vitest';
import { FlowProducer, FlowRelay } from '../../src/index.js';
import { redisUrl, waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';
import { WorkerProcess } from './worker-process.js';

const h = useHarness();

it('kill -9 between child completion and parent release: the parent is released once', async () => {
  const flows = new FlowProducer({ connection: redisUrl(), prefix: h().prefix });
  await flows.add({
    queue: 'fc-parent',
    name: 'p',
    opts: { id: 'p1' },
    children: [{ queue: 'fc-child', name: 'c', opts: { id: 'c1' } }],
  });
  await flows.close();
  // The process's own relay would run only after a day: the kill lands between the two steps.
  const proc = await WorkerProcess.start({
    url: redisUrl(),
    prefix: h().prefix,
    queue: 'fc-child',
    label: 'A',
    mode: 'quick',
    options: { flowRelayMs: 86_400_000 },
  });
  await proc.next((m) => m.ev === 'completed', 'child completed');
  proc.kill('SIGKILL');
  await proc.exited;
  const r = h().redis;
  const ck = h().keys('fc-child');
  const pk = h().keys('fc-parent');
  expect(await r.xlen(ck.flowout)).toBe(1);
  expect(await r.zrange(pk.wchild, 0, -1)).toEqual(['p1']);

  const runs: string[] = [];
  h().worker('fc-parent', (job) => void runs.push(job.id));
  const relays = [1, 2].map(
    () => new FlowRelay('fc-child', { connection: redisUrl(), prefix: h().prefix }),
  );
  // two relays racing over the same message (both may deliver it; it counts once)
  await Promise.all(relays.map((x) => x.runNow()));
  await waitFor(() => runs.length === 1, 'the parent to run');
  for (const x of relays) await x.stop();
  await sleep(100);
  expect(runs).toEqual(['p1']);
  expect(await r.xlen(ck.flowout)).toBe(0);
  expect(await r.zcard(pk.wchild)).toBe(0);
  const job = await h().queue('fc-parent').getJob('p1');
  expect(job!.childResults()).toEqual([
    { queue: 'fc-child', id: 'c1', status: 'completed', result: { by: 'A' } },
  ]);
});
