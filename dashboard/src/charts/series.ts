/**
 * Chart maths, plain functions with no DOM (unit-tested): live rates from successive totals, the
 * history buckets as uPlot data, and the alert level of a queue whose oldest job waits long.
 */

/** uPlot's data: x values (seconds since the epoch), then one array per series. */
export type ChartData = [number[], ...(number | null)[][]];

/**
 * The last `capacity` samples of one queue (or of all together): throughput and failures per
 * second from the deltas of the totals, and the oldest waiting age in seconds.
 */
export class LiveSeries {
  readonly t: number[] = [];
  readonly completed: number[] = [];
  readonly failed: number[] = [];
  readonly waitS: number[] = [];
  private prev: { t: number; c: number; f: number } | undefined;

  constructor(readonly capacity = 300) {}

  /** Adds a sample: time (ms), total completed, total failed, oldest waiting age (ms). */
  push(tMs: number, totalCompleted: number, totalFailed: number, oldestWaitMs: number): void {
    const p = this.prev;
    this.prev = { t: tMs, c: totalCompleted, f: totalFailed };
    if (!p || tMs <= p.t) return;
    const dt = (tMs - p.t) / 1000;
    // A total that went down (queue re-created) counts as no progress, never a negative rate.
    this.t.push(tMs / 1000);
    this.completed.push(Math.max(0, totalCompleted - p.c) / dt);
    this.failed.push(Math.max(0, totalFailed - p.f) / dt);
    this.waitS.push(oldestWaitMs / 1000);
    if (this.t.length > this.capacity) {
      this.t.shift();
      this.completed.shift();
      this.failed.shift();
      this.waitS.shift();
    }
  }

  /** Throughput and failures per second. */
  rates(): ChartData {
    return [this.t, this.completed, this.failed];
  }

  /** Oldest waiting age, seconds. */
  wait(): ChartData {
    return [this.t, this.waitS];
  }
}

/** The history buckets as uPlot data: one x per bucket start, completed, failed. */
export function historyData(h: {
  stepMs: number;
  startMs: number;
  completed: number[];
  failed: number[];
}): ChartData {
  const xs = h.completed.map((_, i) => (h.startMs + i * h.stepMs) / 1000);
  return [xs, h.completed, h.failed];
}

/** Alert level of a queue by the age of its oldest waiting job. */
export type AlertLevel = 'ok' | 'warn' | 'alert';

/** Default thresholds: warn past 1 minute, alert past 5 minutes of waiting. */
export const WAIT_THRESHOLDS = { warnMs: 60_000, alertMs: 300_000 };

export function alertLevel(oldestWaitMs: number | null, t = WAIT_THRESHOLDS): AlertLevel {
  if (oldestWaitMs === null) return 'ok';
  if (oldestWaitMs >= t.alertMs) return 'alert';
  if (oldestWaitMs >= t.warnMs) return 'warn';
  return 'ok';
}

/** A duration for people: `850 ms`, `12 s`, `4 min`, `3 h`, `2 d`. */
export function formatAge(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

/** Total of each series of a history, for the headline figures. */
export function sum(xs: readonly (number | null)[]): number {
  let s = 0;
  for (const x of xs) s += x ?? 0;
  return s;
}
