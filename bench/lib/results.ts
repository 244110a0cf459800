/** The measurements of a bench run, and lookups of their medians. */
import type { ContenderName } from '../contenders/types.js';
import type { Persistence } from './options.js';
import { spread, type Spread } from './stats.js';

export interface RunRecord {
  pass: Persistence;
  scenario: string;
  variant: string;
  contender: ContenderName;
  rep: number;
  metrics: Record<string, number>;
  commandStats?: Record<string, { calls: number; usec: number }>;
  jobs?: number;
  error?: string;
}

/** A ratio of medians with the range of the per-round ratios. */
export interface Ratio {
  ofMedians: number;
  min: number;
  max: number;
  /** Rounds in which both sides succeeded. */
  rounds: number;
}

/** `2.31× (1.90–2.60)`; without the range when there was one round; `n/a` when not finite. */
export function formatRatio(r: Ratio, digits = 2): string {
  if (!Number.isFinite(r.ofMedians)) return 'n/a';
  const head = `${r.ofMedians.toFixed(digits)}×`;
  return r.rounds > 1 ? `${head} (${r.min.toFixed(digits)}–${r.max.toFixed(digits)})` : head;
}

export class Results {
  readonly records: RunRecord[] = [];

  add(r: RunRecord): void {
    this.records.push(r);
  }

  /** The runs of one cell (pass × scenario × variant × contender). */
  cell(pass: Persistence, scenario: string, variant: string, c: ContenderName): RunRecord[] {
    return this.records.filter(
      (r) =>
        r.pass === pass && r.scenario === scenario && r.variant === variant && r.contender === c,
    );
  }

  /** Median, min, max of `metric` over the repetitions of one cell (n = 0 when none succeeded). */
  spread(
    pass: Persistence,
    scenario: string,
    variant: string,
    c: ContenderName,
    metric: string,
  ): Spread {
    return spread(
      this.cell(pass, scenario, variant, c)
        .filter((r) => !r.error)
        .map((r) => r.metrics[metric] ?? NaN),
    );
  }

  median(
    pass: Persistence,
    scenario: string,
    variant: string,
    c: ContenderName,
    metric: string,
  ): number {
    return this.spread(pass, scenario, variant, c, metric).median;
  }

  /**
   * `a` / `b` for one metric: the ratio of the medians, and the min–max of the ratio taken
   * round by round (repetition r of `a` over repetition r of `b`, measured back to back).
   */
  ratio(
    pass: Persistence,
    scenario: string,
    variant: string,
    a: ContenderName,
    b: ContenderName,
    metric: string,
  ): Ratio {
    const ofMedians =
      this.median(pass, scenario, variant, a, metric) /
      this.median(pass, scenario, variant, b, metric);
    const byRep = (c: ContenderName) =>
      new Map(
        this.cell(pass, scenario, variant, c)
          .filter((r) => !r.error)
          .map((r) => [r.rep, r.metrics[metric] ?? NaN]),
      );
    const bs = byRep(b);
    const perRound = [...byRep(a)].flatMap(([rep, x]) => {
      const y = bs.get(rep);
      return y === undefined || y === 0 ? [] : [x / y];
    });
    const s = spread(perRound);
    return { ofMedians, min: s.min, max: s.max, rounds: s.n };
  }

  errors(): RunRecord[] {
    return this.records.filter((r) => r.error);
  }
}
