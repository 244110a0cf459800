/**
 * Scenario 4, job scheduler dispatch. A scheduler publishes task messages (id, data, timestamp,
 * retry count, correlation id) to named queues — names are validated — with the task id as
 * idempotency key. Redis is killed and restarted in the middle: publishing retries with
 * back-off and nothing is published twice. Consumer groups of two instances per queue take the
 * work; a task whose first run fails is delivered again; every task is done, nothing stays
 * pending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Streams } from '../../src/index.js';
import { RedisServer } from '../harness/redis-server.js';
import { waitFor } from '../harness/context.js';
import { StreamHarness } from '../stream/helpers.js';

interface Task {
  id: string;
  data: { n: number };
  timestamp: number;
  retryCount: number;
  correlationId: string;
}

const QUEUES = ['queue:emails', 'queue:reports'];

/** The scheduler's side: named queues, validated once, and a publish per task. */
class Scheduler {
  constructor(private readonly streams: Streams) {}

  async dispatch(queue: string, task: Task): Promise<boolean> {
    const r = await this.streams.topic<Task>(queue).publish(task, { idempotencyKey: task.id });
    return !r.duplicate;
  }
}

describe('scenario: scheduler dispatch', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start({ persistence: 'aof-always' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('validates queue names', () => {
    const streams = new StreamHarness(server.url).streams();
    for (const bad of ['emails queue', '', 'q{1}', 'x'.repeat(200)])
      expect(() => streams.topic(bad)).toThrow(
        expect.objectContaining({ code: 'SLC_ERR_INVALID_NAME' }),
      );
    expect(() => streams.topic('queue:emails')).not.toThrow();
  });

  it('dispatches across a Redis restart; groups of consumers do every task', async () => {
    const h = new StreamHarness(server.url);
    const retry = { attempts: 80, minDelayMs: 20, maxDelayMs: 250 };
    const scheduler = new Scheduler(h.streams({ retry }));
    const done = new Map<string, number[]>(); // task id → deliveries of each run
    const failedOnce = new Set<string>();
    const shapes = new Set<string>();
    const instances = [h.streams({ retry }), h.streams({ retry })];
    const consumers = instances.flatMap((hub, i) =>
      QUEUES.map((q) =>
        hub
          .topic<Task>(q)
          .group('workers')
          .process(
            (entry, ctx) => {
              const task = entry.data;
              shapes.add(Object.keys(task).sort().join(','));
              if (task.data.n === 7 && !failedOnce.has(task.id)) {
                failedOnce.add(task.id);
                throw new Error('transient failure');
              }
              done.set(task.id, [...(done.get(task.id) ?? []), ctx.deliveries]);
            },
            {
              consumer: `instance-${i}`,
              concurrency: 4,
              claimIdleMs: 1000,
              retryDelayMs: 0,
              reclaimIntervalMs: 100,
              blockMs: 500,
            },
          ),
      ),
    );
    for (const c of consumers) c.on('error', () => {});
    await Promise.all(consumers.map((c) => c.ready()));

    const tasks: { queue: string; task: Task }[] = [];
    for (let n = 0; n < 120; n++)
      tasks.push({
        queue: QUEUES[n % 2]!,
        task: {
          id: `task-${n}`,
          data: { n },
          timestamp: Date.now(),
          retryCount: 0,
          correlationId: `corr-${n % 10}`,
        },
      });
    let published = 0;
    const publishing = (async () => {
      for (const { queue, task } of tasks) {
        await scheduler.dispatch(queue, task);
        published++;
      }
    })();
    await waitFor(() => published >= 40, '40 published');
    await server.kill9();
    await new Promise((r) => setTimeout(r, 300));
    await server.restart();
    await publishing;
    // The restart may have made the scheduler repeat a publish: the task id made it harmless.
    expect(await scheduler.dispatch(QUEUES[0]!, tasks[0]!.task)).toBe(false);

    for (const q of QUEUES) {
      const page = await instances[0]!.topic<Task>(q).range({ limit: 1000 });
      expect(page.entries.map((e) => e.data.id)).toEqual(
        tasks.filter((t) => t.queue === q).map((t) => t.task.id),
      );
    }
    await waitFor(() => done.size === 120, 'all 120 tasks done', 20_000);
    for (const q of QUEUES)
      await waitFor(async () => {
        const s = await instances[0]!.topic<Task>(q).group('workers').stats();
        return s.lag === 0 && s.pending === 0;
      }, `${q} settled`);
    // Failed on delivery 1, done on a later one: delivery 2, or 3 when a reclaim that ran just
    // before the kill -9 lost its reply and went again after the restart (at-least-once: the
    // delivery count may then count one delivery twice; seen once in CI).
    expect(failedOnce.has('task-7')).toBe(true);
    expect(done.get('task-7')![0]).toBeGreaterThanOrEqual(2);
    expect(done.get('task-7')![0]).toBeLessThanOrEqual(3);
    expect([...shapes]).toEqual(['correlationId,data,id,retryCount,timestamp']);
    await Promise.all(consumers.map((c) => c.close()));
  });
});
