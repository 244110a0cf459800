/**
 * Enqueue: `bulkJobs` jobs in chunks of 1,000 (one chunk at a time), and `singleJobs` single adds
 * with `singleInFlight` outstanding. The producer is an agent (its own process, fresh heap); the
 * bulk run also yields Redis memory per waiting job (`used_memory` after − before, / jobs).
 */
import { Agent } from '../lib/agents.js';
import { PAYLOAD_BYTES } from '../lib/payload.js';
import { BULK_CHUNK, CPU_METRICS, cpuMetrics, QUEUE, runAgents } from './common.js';
import type { Scenario } from './types.js';

const RATE = { key: 'jobsPerSec', label: 'jobs/s', digits: 0, better: 'higher' } as const;

export const enqueueBulk: Scenario = {
  id: 'enqueue-bulk',
  variants: () => [{ id: 'bulk', label: 'bulk' }],
  runs: () => true,
  tables: [
    {
      title: 'Enqueue in bulk',
      about: (s) =>
        `${s.bulkJobs.toLocaleString('en')} jobs (${PAYLOAD_BYTES} B payload) added in chunks of ` +
        `${BULK_CHUNK.toLocaleString('en')}, one chunk at a time, by one producer process. ` +
        'Sluice `addBulk`, BullMQ `addBulk`, Bee-Queue `saveAll`, raw: one `LPUSH` of 1,000 values.',
      metrics: [RATE, ...CPU_METRICS],
      ratios: ['jobsPerSec'],
    },
    {
      title: 'Redis memory per waiting job',
      about: (s) =>
        `\`used_memory\` after the bulk run (producer closed) minus before it (empty server), ` +
        `divided by ${s.bulkJobs.toLocaleString('en')} waiting jobs of ${PAYLOAD_BYTES} B ` +
        'payload. Raw is the payload in a list: the floor.',
      metrics: [{ key: 'bytesPerJob', label: 'bytes/job', digits: 0, better: 'lower' }],
      ratios: ['bytesPerJob'],
    },
  ],
  async run(ctx, c) {
    const n = ctx.sizes.bulkJobs;
    const before = await ctx.admin.usedMemory();
    const agent = new Agent(
      {
        kind: 'enqueue-bulk',
        contender: c.name,
        url: ctx.url,
        queue: QUEUE,
        n,
        chunk: BULK_CHUNK,
      },
      { cpuProfileDir: ctx.cpuProfileDir, profileName: ctx.runName },
    );
    const m = await runAgents(ctx, [agent]);
    const after = await ctx.admin.usedMemory();
    return {
      metrics: {
        jobsPerSec: n / (m.elapsedMs / 1000),
        ...cpuMetrics(m, n),
        bytesPerJob: (after - before) / n,
      },
      commandStats: await ctx.admin.commandStats(),
      jobs: n,
    };
  },
};

export const enqueueSingle: Scenario = {
  id: 'enqueue-single',
  variants: () => [{ id: 'single', label: 'single' }],
  runs: () => true,
  tables: [
    {
      title: 'Enqueue one by one',
      about: (s) =>
        `${s.singleJobs.toLocaleString('en')} single adds with ${s.singleInFlight} in flight ` +
        `(one producer process, one connection), after ${s.singleWarmupJobs.toLocaleString('en')} ` +
        'made the same way and not measured (the JIT warm-up).',
      metrics: [RATE, ...CPU_METRICS],
      ratios: ['jobsPerSec'],
    },
  ],
  async run(ctx, c) {
    const n = ctx.sizes.singleJobs;
    const agent = new Agent(
      {
        kind: 'enqueue-single',
        contender: c.name,
        url: ctx.url,
        queue: QUEUE,
        n,
        warmup: ctx.sizes.singleWarmupJobs,
        inFlight: ctx.sizes.singleInFlight,
      },
      { cpuProfileDir: ctx.cpuProfileDir, profileName: ctx.runName },
    );
    const m = await runAgents(ctx, [agent]);
    return {
      metrics: { jobsPerSec: n / (m.elapsedMs / 1000), ...cpuMetrics(m, n) },
      commandStats: await ctx.admin.commandStats(),
      jobs: n,
    };
  },
};
