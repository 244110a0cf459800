/** What a scenario is: the runs it makes (variants × contenders) and the metrics each run yields. */
import type { Contender, ContenderName } from '../contenders/types.js';
import type { Sizes } from '../lib/options.js';
import type { RedisAdmin } from '../lib/redis-admin.js';

/** Everything a run needs: the private server, its admin connection, the sizes of this mode. */
export interface RunContext {
  url: string;
  redisPid: number | undefined;
  admin: RedisAdmin;
  sizes: Sizes;
  /** Where consumer agents write `--cpu-prof` profiles, when profiling. */
  cpuProfileDir: string | undefined;
  /** A name for this run (profile file names). */
  runName: string;
  contenders: Record<ContenderName, Contender>;
}

export interface MetricDef {
  key: string;
  label: string;
  /** Digits after the decimal point. */
  digits: number;
  better: 'higher' | 'lower';
}

/** One table of a scenario: some of its metrics, and those whose Sluice ratios are shown. */
export interface TableDef {
  title: string;
  /** What the table shows and how it is measured (one paragraph of markdown). */
  about: (sizes: Sizes) => string;
  metrics: MetricDef[];
  ratios: string[];
}

export interface Variant {
  id: string;
  label: string;
}

/** What one run measured: metric key → value (NaN when not measurable), plus extras. */
export interface RunOutcome {
  metrics: Record<string, number>;
  /** Redis `INFO commandstats` of the measured part of the run (calls, µs per command). */
  commandStats?: Record<string, { calls: number; usec: number }>;
  jobs?: number;
}

/** One contender × variant of a round run by {@link Scenario.runRound}. */
export interface RoundOutcome {
  contender: ContenderName;
  variant: string;
  outcome?: RunOutcome;
  error?: string;
}

export interface Scenario {
  id: string;
  /** Repetitions at most (default: every repetition of the run). */
  maxReps?: (sizes: Sizes) => number;
  /**
   * Runs a whole round (every variant × contender) at once, for scenarios whose rigs share a
   * costly set-up such as an idle minute; when present, `run` is not called.
   */
  runRound?(ctx: RunContext, contenders: Contender[]): Promise<RoundOutcome[]>;
  variants(sizes: Sizes): Variant[];
  /** Whether `contender` takes part in `variant`. */
  runs(contender: Contender, variant: Variant): boolean;
  tables: TableDef[];
  run(ctx: RunContext, contender: Contender, variant: Variant): Promise<RunOutcome>;
}
