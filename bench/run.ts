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
import { LABELS, type Contender, type ContenderName } from './contenders/types.js';
import { REPO_ROOT } from './lib/agents.js';
import { checkoutRef, type RefCheckout } from './lib/compare.js';
import { compareMarkdown, compareRows, compareText } from './lib/compare-report.js';
import { findSection, SCALING_HEADING } from './lib/sections.js';
import { inPass, parseOptions, type Options, type Persistence } from './lib/options.js';
import { machineInfo } from './lib/proc.js';
import { RedisAdmin } from './lib/redis-admin.js';
import { renderReport } from './lib/report.js';
import { checkTargets, targetsText, type StreamFigures } from './lib/targets.js';
import { Results, type RunRecord } from './lib/results.js';
import { drain } from './scenarios/drain.js';
import { enqueueBulk, enqueueSingle } from './scenarios/enqueue.js';
import { delayed } from './scenarios/delayed.js';
import { latency } from './scenarios/latency.js';
import type { RoundOutcome, RunContext, RunOutcome, Scenario } from './scenarios/types.js';

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

/** The `--compare` ref's worktree, removed at the end (on Ctrl-C too). */
let checkout: RefCheckout | undefined;

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
    void Promise.all([...liveServers].map((s) => s.stop())).finally(() => {
      checkout?.remove();
      process.exit(130);
    });
  });
}

function context(
  opts: Options,
  server: RedisServer,
  admin: RedisAdmin,
  runName: string,
  contenders: Record<ContenderName, Contender>,
): RunContext {
  return {
    url: server.url,
    redisPid: server.pid,
    admin,
    sizes: opts.sizes,
    cpuProfileDir: opts.cpuProfileDir,
    runName,
    contenders,
  };
}

type RunKey = Omit<RunRecord, 'metrics' | 'commandStats' | 'jobs' | 'error'>;

function record(results: Results, key: RunKey, outcome?: RunOutcome, error?: string): void {
  results.add({
    ...key,
    metrics: outcome?.metrics ?? {},
    ...(outcome ?? {}),
    ...(error ? { error } : {}),
  });
}

const shown = (outcome: RunOutcome) =>
  Object.entries(outcome.metrics)
    .map(([k, x]) => `${k}=${Number.isFinite(x) ? +x.toFixed(2) : 'n/a'}`)
    .join(' ');

/**
 * The contenders in the order of one round: rotated by `k`, so each takes every place in turn
 * and none always runs right after the same other one.
 */
function rotated<T>(list: readonly T[], k: number): T[] {
  const n = k % list.length;
  return [...list.slice(n), ...list.slice(0, n)];
}

/** One round of a scenario that runs its rigs together (`Scenario.runRound`). */
async function runRound(
  opts: Options,
  pass: Persistence,
  sc: Scenario,
  rep: number,
  server: RedisServer,
  admin: RedisAdmin,
  contenders: Record<ContenderName, Contender>,
  results: Results,
): Promise<void> {
  const variants = sc.variants(opts.sizes).filter((v) => inPass(opts, pass, sc.id, v.id));
  if (variants.length === 0) return;
  const who = opts.contenders
    .map((n) => contenders[n])
    .filter((c) => variants.some((v) => sc.runs(c, v)));
  const runName = `${pass}-${sc.id}-${rep}`;
  const runStart = Date.now();
  await admin.fresh();
  let outcomes: RoundOutcome[];
  try {
    outcomes = await sc.runRound!(context(opts, server, admin, runName, contenders), who);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    outcomes = variants.flatMap((v) =>
      who.map((c) => ({ contender: c.name, variant: v.id, error: message })),
    );
  }
  for (const o of outcomes) {
    if (!variants.some((v) => v.id === o.variant)) continue;
    const key = { pass, scenario: sc.id, variant: o.variant, contender: o.contender, rep };
    record(results, key, o.outcome, o.error);
    const what = o.outcome ? shown(o.outcome) : `FAILED ${o.error}`;
    log(`${runName}-${o.variant}-${o.contender}: ${what}`);
  }
  log(`${runName}: round took ${((Date.now() - runStart) / 1000).toFixed(1)} s`);
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
      const reps = Math.min(opts.sizes.reps, sc.maxReps?.(opts.sizes) ?? Infinity);
      // A round runs every variant × contender once, back to back: the ratios of a round
      // compare runs made seconds apart (see Results.ratio).
      for (let rep = 1; rep <= reps; rep++) {
        if (sc.runRound) {
          await runRound(opts, pass, sc, rep, server, admin, contenders, results);
          continue;
        }
        for (const [vi, v] of sc.variants(opts.sizes).entries()) {
          if (!inPass(opts, pass, sc.id, v.id)) continue;
          for (const name of rotated(opts.contenders, rep - 1 + vi)) {
            const c = contenders[name];
            if (!sc.runs(c, v)) continue;
            const runName = `${pass}-${sc.id}-${v.id}-${name}-${rep}`;
            const runStart = Date.now();
            await admin.fresh();
            try {
              const outcome = await sc.run(context(opts, server, admin, runName, contenders), c, v);
              record(
                results,
                { pass, scenario: sc.id, variant: v.id, contender: name, rep },
                outcome,
              );
              log(
                `${runName} (${((Date.now() - runStart) / 1000).toFixed(1)} s): ${shown(outcome)}`,
              );
            } catch (err) {
              const message = err instanceof Error ? err.message : String(err);
              record(
                results,
                { pass, scenario: sc.id, variant: v.id, contender: name, rep },
                undefined,
                message,
              );
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

/** The stream section from bench/stream.ts (another module, optional), with its figures. */
async function streamSection(
  opts: Options,
): Promise<{ markdown: string; figures?: StreamFigures }> {
  const file = join(REPO_ROOT, 'bench', 'stream.ts');
  const skipped = (why: string) => ({ markdown: `## Streams\n\n_${why}_\n` });
  if (!opts.only.includes('stream')) return { markdown: '' };
  if (!existsSync(file)) return skipped('Skipped: `bench/stream.ts` is not present.');
  if (opts.mode === 'tiny') return skipped('Skipped in tiny mode.');
  const server = await startServer('none');
  try {
    const mod = (await import(pathToFileURL(file).href)) as {
      streamBench?: (o: {
        redisUrl: string;
        quick: boolean;
      }) => Promise<{ markdown: string; figures: StreamFigures }>;
    };
    if (typeof mod.streamBench !== 'function')
      return skipped('Skipped: `bench/stream.ts` exports no `streamBench`.');
    log('streams: running bench/stream.ts');
    return await mod.streamBench({ redisUrl: server.url, quick: opts.mode !== 'default' });
  } catch (err) {
    return skipped(`Failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await stopServer(server);
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2), join(REPO_ROOT, 'bench', 'RESULTS.md'));
  const started = Date.now();
  const loadStart = machineInfo().loadAvg;
  if (opts.cpuProfileDir) mkdirSync(opts.cpuProfileDir, { recursive: true });
  if (opts.compare) {
    checkout = checkoutRef(opts.compare);
    // Agents inherit these: the ref's build is loaded from there.
    process.env.BENCH_COMPARE_ROOT = checkout.root;
    process.env.BENCH_COMPARE_REF = `${opts.compare} (${checkout.commit})`;
    LABELS['sluice-ref'] = `Sluice @${opts.compare}`;
    log(`compare: ${opts.compare} (${checkout.commit}) checked out in ${checkout.root}`);
  }
  const contenders = Object.fromEntries(
    await Promise.all(opts.contenders.map(async (n) => [n, await loadContender(n)] as const)),
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
  const scenarios = SCENARIOS.filter((s) => opts.only.includes(s.id as Options['only'][number]));
  const targets = checkTargets(results, opts.sizes, stream.figures);
  const compared = opts.compare ? compareRows(results, opts, scenarios) : [];
  // The sections other tools write into the default report (bench/scaling.ts) stay.
  const previous = existsSync(opts.out) ? readFileSync(opts.out, 'utf8') : '';
  const kept = findSection(previous, SCALING_HEADING);
  const report = renderReport(
    results,
    opts,
    scenarios,
    {
      date: new Date().toISOString(),
      command: `npm run bench${opts.argv.length ? ' -- ' + opts.argv.join(' ') : ''}`,
      machine: `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB memory, ${process.platform} ${process.arch}`,
      versions:
        `Node ${process.version}, Redis ${redisVersion}, Sluice ${sluiceVersion()}` +
        (checkout ? ` compared with ${opts.compare} (git ${checkout.commit})` : '') +
        `, bullmq ${pkgVersion('bullmq')}, bee-queue ${pkgVersion('bee-queue')}, ` +
        `ioredis ${pkgVersion('ioredis')}`,
      durationS: (Date.now() - started) / 1000,
      load: `${loadStart} / ${m.loadAvg}`,
    },
    [compareMarkdown(compared, opts), stream.markdown, kept ?? ''].filter((x) => x),
    targets,
  );
  writeFileSync(opts.out, report);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(results.records, null, 1));
  process.stdout.write(`Targets (no-persistence pass):\n${targetsText(targets)}\n`);
  if (compared.length)
    process.stdout.write(`\nCompare, working tree / ${opts.compare}:\n${compareText(compared)}\n`);
  log(`wrote ${opts.out} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (results.errors().length) process.exitCode = 1;
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    checkout?.remove();
    process.exit();
  });
