/**
 * The queue and stream targets (issue #3, raised by issue #14; listed in bench/README.md
 * "Targets"), checked against the medians of the no-persistence pass: a checklist of met / not
 * met / not measured, each with its figure and, for ratios, the range of the per-round ratio.
 */
import { LABELS, type ContenderName } from '../contenders/types.js';
import type { Sizes } from './options.js';
import { formatRatio, type Ratio, type Results } from './results.js';

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
  return c === 'raw' ? 'raw' : LABELS[c];
}

/** Delayed-job lateness with the worker idle first, for one connection order. */
function delayedTarget(sizes: Sizes, order: 'consumer-first' | 'producer-first'): Target {
  const idle =
    sizes.delayedIdleMs >= 60_000
      ? 'a minute'
      : `${sizes.delayedIdleMs / 1000} s (a shorter idle than the full run's minute)`;
  const who = order === 'consumer-first' ? 'worker connected first' : 'producer connected first';
  return {
    text: `Delayed jobs start within 5 ms of their due time (p99), ${who}, worker idle ${idle} first`,
    scenario: 'delayed',
    variant: order,
    metric: 'p99',
    unit: 'ms',
    against: { bound: 5 },
    better: 'lower',
  };
}

/** The targets in force (issue #14 items 1 and 5), in checklist order. */
export const targets = (sizes: Sizes): Target[] => [
  ...TARGETS.slice(0, 14),
  delayedTarget(sizes, 'consumer-first'),
  delayedTarget(sizes, 'producer-first'),
  ...TARGETS.slice(14),
];

const TARGETS: Target[] = [
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
  `${x.toLocaleString('en', { maximumFractionDigits: Math.abs(x) < 100 ? 2 : 0 })}${unit ? ` ${unit}` : ''}`;

export interface TargetOutcome {
  text: string;
  met: boolean | undefined;
  detail: string;
}

/** The stream figures the checklist needs (from `bench/stream.ts`). */
export interface StreamFigures {
  durableP50: number;
  pubsubP50: number;
  /** Durable p50 / Pub/Sub p50: of all samples, and the range of the per-round ratio. */
  ratio: Ratio;
}

const STREAM_TARGET = 'Durable stream publish → subscriber p50: ≤ 1.2× Redis Pub/Sub';

/** Checks every target against the medians of the `none` pass (and the stream figures). */
export function checkTargets(
  results: Results,
  sizes: Sizes,
  stream?: StreamFigures,
): TargetOutcome[] {
  const out = targets(sizes).map((t) => {
    const s = results.median('none', t.scenario, t.variant, 'sluice', t.metric);
    if ('bound' in t.against) {
      if (!Number.isFinite(s)) return { text: t.text, met: undefined, detail: 'not measured' };
      const met = t.better === 'lower' ? s <= t.against.bound : s >= t.against.bound;
      const sp = results.spread('none', t.scenario, t.variant, 'sluice', t.metric);
      const range = sp.n > 1 ? ` (rounds ${num(sp.min, '')}–${num(sp.max, t.unit)})` : '';
      return { text: t.text, met, detail: `Sluice ${num(s, t.unit)}${range}` };
    }
    const { other, ratio } = t.against;
    const o = results.median('none', t.scenario, t.variant, other, t.metric);
    const r = results.ratio('none', t.scenario, t.variant, 'sluice', other, t.metric);
    if (!Number.isFinite(s) || !Number.isFinite(o) || o === 0)
      return { text: t.text, met: undefined, detail: 'not measured' };
    const met = t.better === 'higher' ? r.ofMedians >= ratio : r.ofMedians <= ratio;
    return {
      text: t.text,
      met,
      detail: `${formatRatio(r, 3)} (Sluice ${num(s, t.unit)}, ${label(other)} ${num(o, t.unit)})`,
    };
  });
  if (!stream || !Number.isFinite(stream.ratio.ofMedians))
    out.push({ text: STREAM_TARGET, met: undefined, detail: 'not measured' });
  else
    out.push({
      text: STREAM_TARGET,
      met: stream.ratio.ofMedians <= 1.2,
      detail:
        `${formatRatio(stream.ratio, 3)} (durable ${num(stream.durableP50, 'ms')}, ` +
        `Pub/Sub ${num(stream.pubsubP50, 'ms')})`,
    });
  return out;
}

/** The checklist as plain text lines (stdout). */
export function targetsText(outcomes: TargetOutcome[]): string {
  return outcomes
    .map((o) => {
      const word = o.met === true ? 'MET' : o.met === false ? 'NOT MET' : 'not measured';
      return `${o.met === true ? '[x]' : '[ ]'} ${o.text}: ${word}${o.met === undefined ? '' : ` (${o.detail})`}`;
    })
    .join('\n');
}

export function targetsMarkdown(outcomes: TargetOutcome[]): string {
  const lines = outcomes.map((o) => {
    const mark = o.met === true ? '[x]' : '[ ]';
    const word = o.met === true ? '**met**' : o.met === false ? '**not met**' : '_not measured_';
    return `- ${mark} ${o.text} — ${word}: ${o.detail}`;
  });
  return lines.join('\n');
}
