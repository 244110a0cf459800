/**
 * Scaling of cost: does a Sluice operation cost the same with 10k, 100k and 1M jobs in Redis?
 * For each size, on a redis-server of its own: memory per waiting (and delayed) job, the Redis
 * time of one fetch, `stats()` and a `getJobs` page, a consumer-group reclaim with N pending,
 * and a failed job's memory beside a waiting one's; then where every byte of a waiting job goes.
 * Cost is Redis CPU µs per call (SLOWLOG of every command, EVALSHA mapped to its script; `INFO
 * commandstats` usec_per_call beside) plus the commands each call ran: never wall clock alone.
 *
 *   npx tsx bench/scaling.ts [--quick | --tiny] [--out FILE] [--print]
 *
 * Rewrites the `## Scaling of cost` section of bench/RESULTS.md (or --out) in place; `--print`
 * only prints it. `npm run bench` keeps that section when it rewrites the file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisServer } from '../test/harness/redis-server.js';
import { REPO_ROOT } from './lib/agents.js';
import { scriptNames } from './lib/redis-cost.js';
import { replaceSection, SCALING_HEADING } from './lib/sections.js';
import { bytesBreakdown, memoryRows, operationRows, reclaimRows } from './scaling/probes.js';
import type { ScalingSizes } from './scaling/probes.js';

const argv = process.argv.slice(2);
const flag = (f: string) => argv.includes(f);
const value = (f: string) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined);
const mode = flag('--tiny') ? 'tiny' : flag('--quick') ? 'quick' : 'default';

const SIZES: Record<typeof mode, ScalingSizes> = {
  default: { jobs: [10_000, 100_000, 1_000_000], pending: [1000, 10_000, 100_000], failed: 10_000 },
  quick: { jobs: [1000, 10_000, 100_000], pending: [1000, 10_000, 100_000], failed: 5000 },
  tiny: { jobs: [100, 1000], pending: [100, 1000], failed: 200 },
};

const T0 = Date.now();
function log(msg: string): void {
  process.stderr.write(`[scaling +${Math.round((Date.now() - T0) / 1000)}s] ${msg}\n`);
}

async function main(): Promise<void> {
  const sizes = SIZES[mode];
  const out = value('--out') ?? join(REPO_ROOT, 'bench', 'RESULTS.md');
  const server = await RedisServer.start({ persistence: 'none' });
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const names = scriptNames();
  try {
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    const ctx = { url: server.url, redis, names, sizes, log };
    const memory = await memoryRows(ctx);
    const ops = await operationRows(ctx);
    const reclaim = await reclaimRows(ctx);
    const bytes = await bytesBreakdown(ctx);
    const section = [
      SCALING_HEADING,
      '',
      `- Date: ${new Date().toISOString()}; command: \`npx tsx bench/scaling.ts` +
        `${mode === 'default' ? '' : ` --${mode}`}\`; Redis ${version}, no persistence; ` +
        `took ${Math.round((Date.now() - T0) / 1000)} s.`,
      '- Cost is **Redis time per call**: the mean SLOWLOG duration of the call (threshold 0, so ' +
        'every command is logged; an FCALL is mapped to its script and includes every command ' +
        'the script ran), with `INFO commandstats` `usec_per_call` of `fcall` over the same ' +
        'window beside it, and the commands run inside per call (the count of work). Flat ' +
        'across sizes = O(1) or O(log n); growing with the size = O(n) per call.',
      '',
      memory,
      '',
      ops,
      '',
      reclaim,
      '',
      bytes,
      '',
    ].join('\n');
    if (flag('--print') || !existsSync(out)) process.stdout.write(section);
    if (!flag('--print')) {
      const md = existsSync(out) ? readFileSync(out, 'utf8') : '';
      writeFileSync(out, replaceSection(md, SCALING_HEADING, section));
      log(`wrote the scaling section of ${out}`);
    }
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
