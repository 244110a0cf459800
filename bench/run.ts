/**
 * `npm run bench`: Sluice side by side with BullMQ, Bee-Queue and a raw ioredis ceiling, on a
 * redis-server this harness starts (one pass without persistence, one with AOF everysec), every
 * run on an empty server. Writes bench/RESULTS.md (or --out). See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RedisServer } from '../test/harness/redis-server.js';
import { loadContender } from './contenders/index.js';
import { CONTENDER_NAMES, LABELS, type Contender, type ContenderName } from './contenders/types.js';
import { REPO_ROOT } from './lib/agents.js';
import { inPass, parseOptions, type Options, type Persistence } from './lib/options.js';
import { machineInfo } from './lib/proc.js';
import { RedisAdmin } from './lib/redis-admin.js';
import { renderReport } from './lib/report.js';
import { Results } from './lib/results.js';
import { drain } from './scenarios/drain.js';
import { enqueueBulk, enqueueSingle } from './scenarios/enqueue.js';
import { delayed, latency } from './scenarios/latency.js';
import type { Scenario } from './scenarios/types.js';

const SCENARIOS: Scenario[] = [enqueueBulk, enqueueSingle, drain, latency, delayed];

const T0 = Date.now();

function log(msg: string): void {
  process.stderr.write(`[bench +${Math.round((Date.now() - T0) / 1000)}s] ${msg}\n`);
}

function pkgVersion(name: string): string {
  try {
    const file = join(REPO_ROOT, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function sluiceVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const git = (args: string[]) =>
    spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  // Outside a git checkout (e.g. a `git archive` export), BENCH_SLUICE_REV names the build.
  if (process.env.BENCH_SLUICE_REV) return `${pkg.version} (${process.env.BENCH_SLUICE_REV})`;
  const rev = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'src']) ? ', src/ modified' : '';
  return `${pkg.version} (git ${rev || '?'}${dirty})`;
}

/** Servers this process started and has not stopped yet (stopped on Ctrl-C too). */
const liveServers = new Set<RedisServer>();

async function startServer(persistence: Persistence): Promise<RedisServer> {
  const server = await RedisServer.start({ persistence });
  liveServers.add(server);
  return server;
}

async function stopServer(server: RedisServer): Promise<void> {
  liveServers.delete(server);
  await server.stop();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([...liveServers].map((s) => s.stop())).finally(() => process.exit(130));
  });
}

async function runPass(
  opts: Options,
  pass: Persistence,
  contenders: Record<ContenderName, Contender>,
  results: Results,
): Promise<string> {
  const server = await startServer(pass);
  const admin = new RedisAdmin(server.url, pass !== 'none');
  try {
    const redisVersion = (await admin.info('server')).redis_version ?? '?';
    for (const sc of SCENARIOS) {
      for (let rep = 1; rep <= opts.sizes.reps; rep++) {
        for (const v of sc.variants(opts.sizes)) {
          if (!inPass(opts, pass, sc.id, v.id)) continue;
          for (const name of opts.contenders) {
            const c = contenders[name];
            if (!sc.runs(c, v)) continue;
            const runName = `${pass}-${sc.id}-${v.id}-${name}-${rep}`;
            const runStart = Date.now();
            await admin.fresh();
            try {
              const outcome = await sc.run(
                {
                  url: server.url,
                  redisPid: server.pid,
                  admin,
                  sizes: opts.sizes,
                  cpuProfileDir: opts.cpuProfileDir,
                  runName,
                  contenders,
                },
                c,
                v,
              );
              results.add({
                pass,
                scenario: sc.id,
                variant: v.id,
                contender: name,
                rep,
                ...outcome,
              });
              const shown = Object.entries(outcome.metrics)
                .map(([k, x]) => `${k}=${Number.isFinite(x) ? +x.toFixed(2) : 'n/a'}`)
                .join(' ');
              log(`${runName} (${((Date.now() - runStart) / 1000).toFixed(1)} s): ${shown}`);
            } catch (err) {
              const message = err instanceof Error ? err.message : String(err);
              results.add({
                pass,
                scenario: sc.id,
                variant: v.id,
                contender: name,
                rep,
                metrics: {},
                error: message,
              });
              log(`${runName}: FAILED ${message}`);
            }
          }
        }
      }
    }
    return redisVersion;
  } finally {
    await admin.close().catch(() => {});
    await stopServer(server);
  }
}

/** The stream section from bench/stream.ts (another module, optional). */
async function streamSection(opts: Options): Promise<string> {
  const file = join(REPO_ROOT, 'bench', 'stream.ts');
  if (!opts.only.includes('stream')) return '';
  if (!existsSync(file)) return '## Streams\n\n_Skipped: `bench/stream.ts` is not present._\n';
  if (opts.mode === 'tiny') return '## Streams\n\n_Skipped in tiny mode._\n';
  const server = await startServer('none');
  try {
    const mod = (await import(pathToFileURL(file).href)) as {
      runStreamBench?: (o: { redisUrl: string; quick: boolean }) => Promise<string>;
    };
    if (typeof mod.runStreamBench !== 'function')
      return '## Streams\n\n_Skipped: `bench/stream.ts` exports no `runStreamBench`._\n';
    log('streams: running bench/stream.ts');
    return await mod.runStreamBench({ redisUrl: server.url, quick: opts.mode !== 'default' });
  } catch (err) {
    return `## Streams\n\n_Failed: ${err instanceof Error ? err.message : String(err)}_\n`;
  } finally {
    await stopServer(server);
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2), join(REPO_ROOT, 'bench', 'RESULTS.md'));
  const started = Date.now();
  const loadStart = machineInfo().loadAvg;
  if (opts.cpuProfileDir) mkdirSync(opts.cpuProfileDir, { recursive: true });
  const contenders = Object.fromEntries(
    await Promise.all(CONTENDER_NAMES.map(async (n) => [n, await loadContender(n)] as const)),
  ) as Record<ContenderName, Contender>;
  log(`mode ${opts.mode}; contenders ${opts.contenders.map((c) => LABELS[c]).join(', ')}`);
  const results = new Results();
  let redisVersion = '?';
  for (const pass of opts.persistence) {
    log(`pass: ${pass}`);
    redisVersion = await runPass(opts, pass, contenders, results);
  }
  const stream = await streamSection(opts);
  const m = machineInfo();
  const report = renderReport(
    results,
    opts,
    SCENARIOS.filter((s) => opts.only.includes(s.id as Options['only'][number])),
    {
      date: new Date().toISOString(),
      command: `npm run bench${opts.argv.length ? ' -- ' + opts.argv.join(' ') : ''}`,
      machine: `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB memory, ${process.platform} ${process.arch}`,
      versions:
        `Node ${process.version}, Redis ${redisVersion}, Sluice ${sluiceVersion()}, ` +
        `bullmq ${pkgVersion('bullmq')}, bee-queue ${pkgVersion('bee-queue')}, ` +
        `ioredis ${pkgVersion('ioredis')}`,
      durationS: (Date.now() - started) / 1000,
      load: `${loadStart} / ${m.loadAvg}`,
    },
    stream ? [stream] : [],
  );
  writeFileSync(opts.out, report);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(results.records, null, 1));
  log(`wrote ${opts.out} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (results.errors().length) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
