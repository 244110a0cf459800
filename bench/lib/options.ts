/** Command-line options of `bench/run.ts` and the sizes of each mode (default, quick, tiny). */
import { CONTENDER_NAMES, type ContenderName } from '../contenders/types.js';

export type Persistence = 'none' | 'aof-everysec';
export type Mode = 'default' | 'quick' | 'tiny';

export interface Sizes {
  reps: number;
  bulkJobs: number;
  singleJobs: number;
  /**
   * Single adds made (same lanes, same producer) before the measured ones and not counted: the
   * measured rate is the producer's steady one, not its JIT warm-up (20,000 adds take ~0.2 s).
   */
  singleWarmupJobs: number;
  singleInFlight: number;
  drainConcurrency: number[];
  /** Jobs drained per run, by concurrency. */
  drainJobs: Record<number, number>;
  latencyRate: number;
  latencySeconds: number;
  /** Run at the same rate before the measured seconds; those jobs are not counted. */
  latencyWarmupSeconds: number;
  latencyConcurrency: number;
  delayedJobs: number;
  delayedMaxMs: number;
  delayedConcurrency: number;
  /** How long every delayed-run worker sits idle (started, no jobs) before the burst. */
  delayedIdleMs: number;
  /** Rounds of the delayed scenario at most (each round idles once; default: reps). */
  delayedReps: number;
  runTimeoutMs: number;
}

export const SIZES: Record<Mode, Sizes> = {
  default: {
    reps: 3,
    bulkJobs: 100_000,
    singleJobs: 100_000,
    singleWarmupJobs: 20_000,
    singleInFlight: 100,
    drainConcurrency: [1, 10, 100],
    drainJobs: { 1: 5000, 10: 100_000, 100: 100_000 },
    latencyRate: 1000,
    latencySeconds: 10,
    latencyWarmupSeconds: 1,
    latencyConcurrency: 10,
    delayedJobs: 10_000,
    delayedMaxMs: 2000,
    delayedConcurrency: 10,
    delayedIdleMs: 60_000,
    delayedReps: 2,
    runTimeoutMs: 180_000,
  },
  quick: {
    reps: 1,
    bulkJobs: 20_000,
    singleJobs: 20_000,
    singleWarmupJobs: 5000,
    singleInFlight: 100,
    drainConcurrency: [1, 10, 100],
    drainJobs: { 1: 2000, 10: 20_000, 100: 20_000 },
    latencyRate: 1000,
    latencySeconds: 2,
    latencyWarmupSeconds: 0.5,
    latencyConcurrency: 10,
    delayedJobs: 2000,
    delayedMaxMs: 1000,
    delayedConcurrency: 10,
    delayedIdleMs: 10_000,
    delayedReps: 1,
    runTimeoutMs: 60_000,
  },
  tiny: {
    reps: 1,
    bulkJobs: 500,
    singleJobs: 200,
    singleWarmupJobs: 100,
    singleInFlight: 100,
    drainConcurrency: [1, 100],
    drainJobs: { 1: 200, 100: 300 },
    latencyRate: 1000,
    latencySeconds: 0.3,
    latencyWarmupSeconds: 0.1,
    latencyConcurrency: 10,
    delayedJobs: 100,
    delayedMaxMs: 200,
    delayedConcurrency: 10,
    delayedIdleMs: 500,
    delayedReps: 1,
    runTimeoutMs: 30_000,
  },
};

export const SCENARIO_IDS = [
  'enqueue-bulk',
  'enqueue-single',
  'drain',
  'latency',
  'delayed',
  'stream',
] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export interface Options {
  mode: Mode;
  sizes: Sizes;
  only: ScenarioId[];
  contenders: ContenderName[];
  persistence: Persistence[];
  out: string;
  json: string | undefined;
  cpuProfileDir: string | undefined;
  /** Run every scenario in the AOF pass too (default: only the write-heavy ones). */
  fullAof: boolean;
  /** `--compare <git-ref>`: the other Sluice build to run beside the working tree. */
  compare: string | undefined;
  /** The arguments as given (for "the exact command"). */
  argv: string[];
}

export const USAGE = `usage: npm run bench -- [options]
  --quick                 smaller counts (< 2 min)
  --tiny                  a few hundred jobs, one repetition (for the test)
  --only a,b              scenarios: ${SCENARIO_IDS.join(', ')}
  --contenders a,b        contenders: ${CONTENDER_NAMES.join(', ')} (Sluice is always useful for ratios)
  --persistence a,b       passes: none, aof-everysec (default both)
  --full-aof              every scenario in the AOF pass (default: enqueues, drain c=100 removed)
  --reps N                repetitions per run (default 3; tiny 1)
  --out FILE              where the markdown goes (default bench/RESULTS.md)
  --json FILE             also write every raw measurement as JSON
  --cpu-prof DIR          a V8 CPU profile of every agent (measured part only) into DIR
  --compare REF           also run Sluice as built at git REF, interleaved; ratios new/old
  --help`;

function list<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T[] {
  if (!value) throw new Error(`${flag} needs a value`);
  const items = value.split(',').map((s) => s.trim()) as T[];
  for (const i of items)
    if (!allowed.includes(i))
      throw new Error(`${flag}: unknown "${i}" (one of ${allowed.join(', ')})`);
  return items;
}

export function parseOptions(argv: string[], defaultOut: string): Options {
  let mode: Mode = 'default';
  let only: ScenarioId[] = [...SCENARIO_IDS];
  // `sluice-ref` takes part with --compare, `fenced` when named
  let contenders: ContenderName[] = CONTENDER_NAMES.filter(
    (c) => c !== 'sluice-ref' && c !== 'fenced',
  );
  let compare: string | undefined;
  let persistence: Persistence[] = ['none', 'aof-everysec'];
  let out = defaultOut;
  let json: string | undefined;
  let cpuProfileDir: string | undefined;
  let reps: number | undefined;
  let fullAof = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => argv[++i];
    switch (a) {
      case '--quick':
        mode = 'quick';
        break;
      case '--tiny':
        mode = 'tiny';
        break;
      case '--only':
        only = list(value(), SCENARIO_IDS, a);
        break;
      case '--contenders':
        contenders = list(value(), CONTENDER_NAMES, a);
        break;
      case '--persistence':
        persistence = list(value(), ['none', 'aof-everysec'] as const, a);
        break;
      case '--reps': {
        reps = Number(value());
        if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps must be an integer >= 1');
        break;
      }
      case '--out':
        out = value() ?? '';
        if (!out) throw new Error('--out needs a file');
        break;
      case '--json':
        json = value();
        break;
      case '--full-aof':
        fullAof = true;
        break;
      case '--compare':
        compare = value();
        if (!compare) throw new Error('--compare needs a git ref');
        break;
      case '--cpu-prof':
        cpuProfileDir = value();
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  const sizes = { ...SIZES[mode], ...(reps ? { reps } : {}) };
  if (compare && !contenders.includes('sluice-ref')) contenders.push('sluice-ref');
  if (!compare && contenders.includes('sluice-ref'))
    throw new Error('--contenders sluice-ref needs --compare <git-ref>');
  if (compare && !contenders.includes('sluice')) contenders.push('sluice');
  // Keep the table order whatever order the flags gave.
  contenders = CONTENDER_NAMES.filter((c) => contenders.includes(c));
  return {
    mode,
    sizes,
    only,
    contenders,
    persistence,
    out,
    json,
    cpuProfileDir,
    fullAof,
    compare,
    argv,
  };
}

/**
 * Whether a run belongs to a pass. The AOF pass makes (unless `--full-aof`) only the write-heavy
 * runs, where `appendfsync everysec` can change the picture: both enqueues and the drain at c=100 with completed jobs removed.
 * That keeps the default run under 10 minutes on 2 cores.
 */
export function inPass(
  opts: Options,
  pass: Persistence,
  scenario: string,
  variant: string,
): boolean {
  if (!opts.only.includes(scenario as ScenarioId)) return false;
  if (pass === 'none' || opts.fullAof) return true;
  if (scenario === 'enqueue-bulk' || scenario === 'enqueue-single') return true;
  return scenario === 'drain' && variant === 'c100-removed';
}

/** A sentence saying what the AOF pass covers. */
export function aofCoverage(opts: Options): string {
  return opts.fullAof
    ? 'every scenario'
    : 'the write-heavy runs only: enqueue (bulk, single) and drain at c=100, removed ' +
        '(`--full-aof` runs all)';
}
