/**
 * A consumer process that dies with `kill -9` while holding entries: live consumers reclaim them
 * after `claimIdleMs`, and a process restarting under the same (stable) name takes its own back
 * at once. Every entry is handled to completion; nothing stays pending.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { redisUrl, waitFor } from '../harness/context.js';
import type { GroupFixtureConfig, GroupFixtureMessage } from './fixtures/group-consumer.js';
import { StreamHarness } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/group-consumer.ts', import.meta.url));
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
});

interface Child {
  proc: ChildProcess;
  messages: GroupFixtureMessage[];
  exited: Promise<unknown>;
}

async function startConsumer(config: GroupFixtureConfig): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, SLUICE_FIXTURE: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(proc);
  const messages: GroupFixtureMessage[] = [];
  proc.on('message', (m) => messages.push(m as GroupFixtureMessage));
  const exited = new Promise((r) => proc.once('exit', r));
  await waitFor(() => messages.some((m) => m.ev === 'ready'), 'child ready', 20_000);
  return { proc, messages, exited };
}

const got = (c: Child) => c.messages.flatMap((m) => (m.ev === 'got' ? [m] : []));

describe('consumer process killed with kill -9', () => {
  it('has its pending entries reclaimed by a live consumer after claimIdleMs', async () => {
    const h = new StreamHarness(redisUrl());
    const topic = h.streams().topic<number>('tasks');
    const group = topic.group('workers');
    await group.create();
    await topic.publishBulk(Array.from({ length: 10 }, (_, n) => ({ data: n })));
    const doomed = await startConsumer({
      url: redisUrl(),
      prefix: h.prefix,
      topic: 'tasks',
      group: 'workers',
      consumer: 'doomed',
      concurrency: 3,
      claimIdleMs: 60_000,
      mode: 'hang',
    });
    await waitFor(() => got(doomed).length === 3, 'child holds 3');
    doomed.proc.kill('SIGKILL');
    await doomed.exited;
    const held = got(doomed).map((m) => m.n);
    expect((await group.stats()).consumers).toContainEqual({
      name: 'doomed',
      pending: 3,
      idleMs: expect.any(Number),
    });

    const handled = new Map<number, number>();
    const reclaimed: number[] = [];
    const survivor = group.process(
      (entry, ctx) => {
        handled.set(entry.data, ctx.deliveries);
      },
      {
        consumer: 'survivor',
        concurrency: 2,
        claimIdleMs: 600,
        reclaimIntervalMs: 100,
        blockMs: 500,
      },
    );
    survivor.on('reclaimed', (_p, deliveries) => reclaimed.push(deliveries));
    await waitFor(() => handled.size === 10, 'all 10 handled');
    await waitFor(async () => (await group.stats()).pending === 0, 'nothing pending');
    for (const n of held) expect(handled.get(n)).toBe(2); // delivered to the dead one, then here
    expect(reclaimed).toEqual([2, 2, 2]);
    for (let n = 0; n < 10; n++) if (!held.includes(n)) expect(handled.get(n)).toBe(1);
    expect(await group.removeConsumer('doomed')).toBe(true);
    await survivor.close();
    expect((await group.stats()).consumers).toEqual([]);
  });

  it('takes its own pending entries back at once when restarted under the same name', async () => {
    const h = new StreamHarness(redisUrl());
    const topic = h.streams().topic<number>('jobs');
    await topic.group('workers').create();
    await topic.publishBulk(Array.from({ length: 6 }, (_, n) => ({ data: n })));
    const config: GroupFixtureConfig = {
      url: redisUrl(),
      prefix: h.prefix,
      topic: 'jobs',
      group: 'workers',
      consumer: 'stable-1',
      concurrency: 2,
      claimIdleMs: 600_000, // nobody would reclaim them for 10 minutes
      mode: 'hang',
    };
    const first = await startConsumer(config);
    await waitFor(() => got(first).length === 2, 'holds 2');
    first.proc.kill('SIGKILL');
    await first.exited;
    const second = await startConsumer({ ...config, mode: 'ok' });
    await waitFor(() => second.messages.filter((m) => m.ev === 'done').length === 6, 'all done');
    const again = got(second);
    for (const { n } of got(first)) expect(again.find((m) => m.n === n)?.deliveries).toBe(2);
    expect(again.map((m) => m.n).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    await waitFor(async () => (await topic.group('workers').stats()).pending === 0, 'acked');
  });
});
