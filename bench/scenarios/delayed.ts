/**
 * Delayed jobs after an idle worker, in both connection orders. One round: every contender gets
 * two rigs on its own queues of the (fresh) server — "worker first" (the consumer connects and
 * starts; the producer connects only when its burst comes) and "producer first" (the producer
 * connects, then the consumer connects and starts). All the workers then sit idle together for
 * `delayedIdleMs` (a minute in the full run), so the round pays the idle once, not six times;
 * then the bursts run one after another, each timed alone: `delayedJobs` adds one at a time,
 * delays uniform in 0–`delayedMaxMs`, lateness = handler start − (send time + delay).
 */
import type { Contender } from '../contenders/types.js';
import { Agent, withTimeout } from '../lib/agents.js';
import { procCpuMs } from '../lib/proc.js';
import { percentile } from '../lib/stats.js';
import { TimerProbe } from '../lib/timer-probe.js';
import { QUEUE } from './common.js';
import type { MetricDef, RoundOutcome, RunContext, Scenario, Variant } from './types.js';

const ms = (key: string, label: string): MetricDef => ({ key, label, digits: 2, better: 'lower' });
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

const ORDERS: Variant[] = [
  { id: 'consumer-first', label: 'worker connected first' },
  { id: 'producer-first', label: 'producer connected first' },
];

interface Rig {
  contender: Contender;
  variant: Variant;
  queue: string;
  consumer: Agent;
  producer: Agent | undefined;
}

function producerAgent(ctx: RunContext, c: Contender, queue: string, name: string): Agent {
  return new Agent(
    {
      kind: 'produce-delayed',
      contender: c.name,
      url: ctx.url,
      queue,
      n: ctx.sizes.delayedJobs,
      maxDelayMs: ctx.sizes.delayedMaxMs,
    },
    { cpuProfileDir: ctx.cpuProfileDir, profileName: `${name}-producer` },
  );
}

function consumerAgent(ctx: RunContext, c: Contender, queue: string, name: string): Agent {
  return new Agent(
    {
      kind: 'consume',
      contender: c.name,
      url: ctx.url,
      queue,
      n: ctx.sizes.delayedJobs,
      concurrency: ctx.sizes.delayedConcurrency,
      keep: false,
      delayed: true,
      timed: true,
      warmup: 0,
    },
    { cpuProfileDir: ctx.cpuProfileDir, profileName: name },
  );
}

/** Connects every rig in its order and starts every worker; returns the rigs. */
async function setUp(ctx: RunContext, contenders: Contender[]): Promise<Rig[]> {
  const rigs: Rig[] = [];
  for (const variant of ORDERS) {
    for (const c of contenders) {
      const queue = `${QUEUE}-${c.name}-${variant.id}`;
      const name = `${ctx.runName}-${variant.id}-${c.name}`;
      let producer: Agent | undefined;
      if (variant.id === 'producer-first') {
        producer = producerAgent(ctx, c, queue, name);
        await withTimeout(producer.ready, 60_000, `${name} producer starting`);
      }
      const consumer = consumerAgent(ctx, c, queue, name);
      rigs.push({ contender: c, variant, queue, consumer, producer });
      await withTimeout(consumer.ready, 60_000, `${name} consumer starting`);
      consumer.go();
    }
  }
  return rigs;
}

async function burst(ctx: RunContext, rig: Rig): Promise<RoundOutcome['outcome']> {
  const name = `${ctx.runName}-${rig.variant.id}-${rig.contender.name}`;
  const producer = rig.producer ?? producerAgent(ctx, rig.contender, rig.queue, name);
  rig.producer = producer;
  await withTimeout(producer.ready, 60_000, `${name} producer starting`);
  const probe = await TimerProbe.start();
  const redis0 = procCpuMs(ctx.redisPid);
  producer.go();
  const result = await withTimeout(
    rig.consumer.result,
    ctx.sizes.runTimeoutMs,
    `run ${name}`,
  ).catch((err: unknown) => {
    probe.kill();
    throw err;
  });
  const late = await probe.stop();
  const redisMs = procCpuMs(ctx.redisPid) - redis0;
  const sent = await withTimeout(producer.result, ctx.sizes.runTimeoutMs, `${name} producer`);
  const samples = result.samples ?? [];
  return {
    metrics: {
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      max: percentile(samples, 100),
      timerP99: percentile(late, 99),
      // Redis over the burst (the other rigs' idle workers included: they only block).
      redisCpuPct: (redisMs / Math.max(1, sent.elapsedMs + ctx.sizes.delayedMaxMs)) * 100,
    },
    jobs: samples.length,
  };
}

export const delayed: Scenario = {
  id: 'delayed',
  variants: () => ORDERS,
  runs: (c) => c.can.delayed,
  maxReps: (s) => s.delayedReps,
  tables: [
    {
      title: 'Delayed jobs: lateness of the handler start',
      about: (s) =>
        `After every worker sat idle ${s.delayedIdleMs / 1000} s (started, no jobs), ` +
        `${s.delayedJobs.toLocaleString('en')} jobs with delays uniform in ` +
        `0–${s.delayedMaxMs} ms (whole ms) added one at a time by one producer process; ` +
        `consumer at concurrency ${s.delayedConcurrency}. "worker connected first": the producer ` +
        'process connects only when its burst begins; "producer connected first": it connected ' +
        'before the worker. The rigs of a round share the server (a queue each) and idle ' +
        'together; their bursts run one at a time. Lateness = handler start − (send time + ' +
        'delay), ms, CLOCK_MONOTONIC in both processes; it includes the add round trip, and a ' +
        'queue that counts the delay from its own later clock reading can show small negative ' +
        'values. Redis CPU % is over the burst (adds + longest delay). "bare timer p99": how late ' +
        'a 2 ms timer fired (p99) in a process beside the burst that does nothing else ' +
        '(`bench/lib/timer-probe.ts`): the floor the machine set at that moment for any worker.',
      metrics: [
        ms('p50', 'p50 ms'),
        ms('p99', 'p99 ms'),
        ms('max', 'max ms'),
        ms('timerP99', 'bare timer p99 ms'),
        {
          key: 'redisCpuPct',
          label: 'Redis CPU %',
          digits: 0,
          better: 'lower',
        },
      ],
      ratios: ['p50', 'p99'],
    },
  ],
  run: () => Promise.reject(new Error('delayed runs by rounds (runRound)')),
  async runRound(ctx, contenders) {
    const out: RoundOutcome[] = [];
    let rigs: Rig[] = [];
    try {
      rigs = await setUp(ctx, contenders);
      await sleep(ctx.sizes.delayedIdleMs);
      for (const rig of rigs) {
        try {
          out.push({
            contender: rig.contender.name,
            variant: rig.variant.id,
            outcome: await burst(ctx, rig),
          });
        } catch (err) {
          out.push({ contender: rig.contender.name, variant: rig.variant.id, error: String(err) });
        }
        await Promise.all([rig.consumer.stop(), rig.producer?.stop()]);
      }
    } finally {
      await Promise.all(rigs.flatMap((r) => [r.consumer.kill(), r.producer?.kill()]));
    }
    return out;
  },
};
