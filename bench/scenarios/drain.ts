/**
 * Drain: jobs pre-enqueued in bulk (not measured), then ONE consumer process with a no-op async
 * handler at concurrency 1, 10 and 100, completed jobs kept and removed. The clock runs from the
 * consumer's start to the moment the last completion is acknowledged by the contender.
 */
import { Agent } from '../lib/agents.js';
import { PAYLOAD_BYTES } from '../lib/payload.js';
import { CPU_METRICS, cpuMetrics, preload, QUEUE, runAgents } from './common.js';
import type { Scenario } from './types.js';

export const drain: Scenario = {
  id: 'drain',
  variants: (s) =>
    s.drainConcurrency.flatMap((c) => [
      { id: `c${c}-kept`, label: `c=${c}, kept` },
      { id: `c${c}-removed`, label: `c=${c}, removed` },
    ]),
  runs: (c, v) => c.can.keepCompleted || v.id.endsWith('-removed'),
  tables: [
    {
      title: 'Drain',
      about: (s) =>
        `Pre-enqueued jobs (${PAYLOAD_BYTES} B payload; ` +
        s.drainConcurrency
          .map((c) => `${(s.drainJobs[c] ?? 0).toLocaleString('en')} at c=${c}`)
          .join(', ') +
        ') drained by one consumer process with a no-op async handler. "kept": every completed ' +
        'job stays in Redis; "removed": each is deleted on completion. CPU: the consumer ' +
        'process and redis-server over the drain.',
      metrics: [
        { key: 'jobsPerSec', label: 'jobs/s', digits: 0, better: 'higher' },
        ...CPU_METRICS,
      ],
      ratios: ['jobsPerSec'],
    },
  ],
  async run(ctx, c, v) {
    const match = /^c(\d+)-(kept|removed)$/.exec(v.id);
    const concurrency = Number(match?.[1]);
    const keep = match?.[2] === 'kept';
    const n = ctx.sizes.drainJobs[concurrency] ?? 0;
    // The consumer process starts (and connects) while this process preloads the jobs: it
    // takes nothing before `go`.
    const agent = new Agent(
      {
        kind: 'consume',
        contender: c.name,
        url: ctx.url,
        queue: QUEUE,
        n,
        concurrency,
        keep,
        delayed: false,
        timed: false,
        warmup: 0,
      },
      { cpuProfileDir: ctx.cpuProfileDir, profileName: ctx.runName },
    );
    try {
      await Promise.all([agent.ready, preload(ctx, c, n)]);
    } catch (err) {
      await agent.kill();
      throw err;
    }
    await ctx.admin.client.config('RESETSTAT');
    const m = await runAgents(ctx, [agent]);
    return {
      metrics: { jobsPerSec: n / (m.elapsedMs / 1000), ...cpuMetrics(m, n) },
      commandStats: await ctx.admin.commandStats(),
      jobs: n,
    };
  },
};
