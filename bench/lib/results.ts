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

  errors(): RunRecord[] {
    return this.records.filter((r) => r.error);
  }
}
