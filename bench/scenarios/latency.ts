/**
 * Latency at a steady rate (delayed jobs: `delayed.ts`). A producer process and a consumer process; each job carries the
 * producer's send time from CLOCK_MONOTONIC (`process.hrtime`), which every process on one
 * machine shares, and the consumer's handler reads the same clock when it starts.
 */
import { Agent } from '../lib/agents.js';
import { percentile } from '../lib/stats.js';
import { CPU_METRICS, cpuMetrics, QUEUE, runAgents } from './common.js';
import type { MetricDef, RunContext, RunOutcome, Scenario } from './types.js';
import type { Contender } from '../contenders/types.js';

const ms = (key: string, label: string): MetricDef => ({ key, label, digits: 2, better: 'lower' });
const us = (key: string, label: string): MetricDef => ({ key, label, digits: 0, better: 'lower' });

async function timedRun(
  ctx: RunContext,
  c: Contender,
  n: number,
  concurrency: number,
  producer: Agent,
  warmup: number,
): Promise<RunOutcome> {
  const consumer = new Agent(
    {
      kind: 'consume',
      contender: c.name,
      url: ctx.url,
      queue: QUEUE,
      n,
      concurrency,
      keep: false,
      delayed: false,
      timed: true,
      warmup,
    },
    { cpuProfileDir: ctx.cpuProfileDir, profileName: ctx.runName },
  );
  const m = await runAgents(ctx, [consumer, producer]);
  const samples = m.results[0]!.samples ?? [];
  return {
    metrics: {
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
      p99: percentile(samples, 99),
      max: percentile(samples, 100),
      ...cpuMetrics(m, n),
      // where it goes: the consumer (the first agent), the producer, redis-server
      consumerUsPerJob: (m.results[0]!.cpuMs * 1000) / n,
      producerUsPerJob: (m.results[1]!.cpuMs * 1000) / n,
      redisUsPerJob: (m.redisCpuMs * 1000) / n,
    },
    commandStats: await ctx.admin.commandStats(),
    jobs: n,
  };
}

export const latency: Scenario = {
  id: 'latency',
  variants: () => [{ id: 'steady', label: 'steady' }],
  runs: () => true,
  tables: [
    {
      title: 'Latency add → handler start at a steady rate',
      about: (s) =>
        `${s.latencyRate.toLocaleString('en')} jobs/s for ${s.latencySeconds} s after a ` +
        `${s.latencyWarmupSeconds} s warm-up at the same rate (not counted in the percentiles: ` +
        'JIT, first script loads), one add at a time (not awaited), consumer at concurrency ' +
        `${s.latencyConcurrency}, completed jobs removed. Latency in ms from just before the ` +
        'producer sends the add to the start of the handler, both read from CLOCK_MONOTONIC ' +
        '(shared by the two processes). CPU: producer + consumer + redis-server, per job, over ' +
        'the whole run, and each of the three apart.',
      metrics: [
        ms('p50', 'p50 ms'),
        ms('p95', 'p95 ms'),
        ms('p99', 'p99 ms'),
        ms('max', 'max ms'),
        ...CPU_METRICS,
        us('consumerUsPerJob', 'consumer µs/job'),
        us('producerUsPerJob', 'producer µs/job'),
        us('redisUsPerJob', 'Redis µs/job'),
      ],
      ratios: [
        'p50',
        'p99',
        'cpuUsPerJob',
        'consumerUsPerJob',
        'producerUsPerJob',
        'redisUsPerJob',
      ],
    },
  ],
  async run(ctx, c) {
    const s = ctx.sizes;
    const warmup = Math.round(s.latencyRate * s.latencyWarmupSeconds);
    const n = warmup + Math.round(s.latencyRate * s.latencySeconds);
    const producer = new Agent(
      {
        kind: 'produce-paced',
        contender: c.name,
        url: ctx.url,
        queue: QUEUE,
        n,
        rate: s.latencyRate,
      },
      { cpuProfileDir: ctx.cpuProfileDir, profileName: `${ctx.runName}-producer` },
    );
    return timedRun(ctx, c, n, s.latencyConcurrency, producer, warmup);
  },
};
