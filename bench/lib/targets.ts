/**
 * The queue targets of issue #3 (listed in bench/README.md "Targets"), checked against the
 * medians of the no-persistence pass: a checklist of met / not met / not measured.
 */
import type { ContenderName } from '../contenders/types.js';
import type { Results } from './results.js';

interface Target {
  text: string;
  scenario: string;
  variant: string;
  metric: string;
  unit: string;
  /** Compared with another contender (Sluice/other vs `ratio`), or with an absolute bound. */
  against: { other: ContenderName; ratio: number } | { bound: number };
  better: 'higher' | 'lower';
}

function drain(c: number, keep: string, other: ContenderName, ratio: number): Target {
  return {
    text: `Drain c=${c} (${keep}): ≥ ${ratio}× ${other === 'raw' ? 'the raw ceiling' : label(other)}`,
    scenario: 'drain',
    variant: `c${c}-${keep}`,
    metric: 'jobsPerSec',
    unit: 'jobs/s',
    against: { other, ratio },
    better: 'higher',
  };
}

function label(c: ContenderName): string {
  return { sluice: 'Sluice', bullmq: 'BullMQ', 'bee-queue': 'Bee-Queue', raw: 'raw' }[c];
}

export const TARGETS: Target[] = [
  // c=100 raised 2026-12-01 (from 3× BullMQ, 1.5× Bee-Queue).
  drain(100, 'removed', 'bullmq', 4),
  drain(100, 'removed', 'bee-queue', 3),
  drain(100, 'removed', 'raw', 0.75),
  drain(100, 'kept', 'bullmq', 4),
  drain(100, 'kept', 'bee-queue', 3),
  drain(10, 'removed', 'bullmq', 3),
  drain(10, 'removed', 'bee-queue', 2),
  drain(10, 'kept', 'bullmq', 3),
  drain(10, 'kept', 'bee-queue', 2),
  drain(1, 'removed', 'bee-queue', 2),
  drain(1, 'kept', 'bee-queue', 2),
  {
    text: 'Bulk enqueue: ≥ 2× Bee-Queue',
    scenario: 'enqueue-bulk',
    variant: 'bulk',
    metric: 'jobsPerSec',
    unit: 'jobs/s',
    against: { other: 'bee-queue', ratio: 2 },
    better: 'higher',
  },
  {
    text: 'Single add (100 in flight): ≥ Bee-Queue',
    scenario: 'enqueue-single',
    variant: 'single',
    metric: 'jobsPerSec',
    unit: 'jobs/s',
    against: { other: 'bee-queue', ratio: 1 },
    better: 'higher',
  },
  {
    text: 'Latency add → start at 1,000 jobs/s: p99 ≤ Bee-Queue’s',
    scenario: 'latency',
    variant: 'steady',
    metric: 'p99',
    unit: 'ms',
    against: { other: 'bee-queue', ratio: 1 },
    better: 'lower',
  },
  {
    text: 'Delayed jobs start within 5 ms of their due time (p99)',
    scenario: 'delayed',
    variant: 'delayed',
    metric: 'p99',
    unit: 'ms',
    against: { bound: 5 },
    better: 'lower',
  },
  {
    text: 'Redis memory per waiting job: ≤ 0.5× Bee-Queue’s',
    scenario: 'enqueue-bulk',
    variant: 'bulk',
    metric: 'bytesPerJob',
    unit: 'B',
    against: { other: 'bee-queue', ratio: 0.5 },
    better: 'lower',
  },
  {
    text: 'CPU per job at a steady 1,000 jobs/s (Node + Redis): ≤ Bee-Queue’s',
    scenario: 'latency',
    variant: 'steady',
    metric: 'cpuUsPerJob',
    unit: 'µs/job',
    against: { other: 'bee-queue', ratio: 1 },
    better: 'lower',
  },
];

const num = (x: number, unit: string) =>
  `${x.toLocaleString('en', { maximumFractionDigits: x < 100 ? 2 : 0 })} ${unit}`;

export interface TargetOutcome {
  text: string;
  met: boolean | undefined;
  detail: string;
}

/** Checks every target against the medians of the `none` pass. */
export function checkTargets(results: Results): TargetOutcome[] {
  return TARGETS.map((t) => {
    const s = results.median('none', t.scenario, t.variant, 'sluice', t.metric);
    if ('bound' in t.against) {
      if (!Number.isFinite(s)) return { text: t.text, met: undefined, detail: 'not measured' };
      const met = t.better === 'lower' ? s <= t.against.bound : s >= t.against.bound;
      return { text: t.text, met, detail: `Sluice ${num(s, t.unit)}` };
    }
    const { other, ratio } = t.against;
    const o = results.median('none', t.scenario, t.variant, other, t.metric);
    if (!Number.isFinite(s) || !Number.isFinite(o) || o === 0)
      return { text: t.text, met: undefined, detail: 'not measured' };
    const r = s / o;
    const met = t.better === 'higher' ? r >= ratio : r <= ratio;
    return {
      text: t.text,
      met,
      detail: `${r.toFixed(3)}× (Sluice ${num(s, t.unit)}, ${label(other)} ${num(o, t.unit)})`,
    };
  });
}

export function targetsMarkdown(outcomes: TargetOutcome[]): string {
  const lines = outcomes.map((o) => {
    const mark = o.met === true ? '[x]' : '[ ]';
    const word = o.met === true ? '**met**' : o.met === false ? '**not met**' : '_not measured_';
    return `- ${mark} ${o.text} — ${word}: ${o.detail}`;
  });
  return lines.join('\n');
}
