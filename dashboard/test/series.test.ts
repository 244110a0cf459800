/** Chart maths: live rates from totals, history buckets, alert levels, ages, the bulk chunks. */
import { describe, expect, it } from 'vitest';
import { LiveSeries, alertLevel, formatAge, historyData } from '../src/charts/series.js';
import { chunks } from '../src/bulk.js';
import { parseRoute } from '../src/router.js';

describe('chart maths', () => {
  it('turns successive totals into per-second rates, never negative, bounded', () => {
    const s = new LiveSeries(3);
    s.push(1000, 10, 0, 0);
    s.push(3000, 30, 2, 5000); // 20 in 2 s
    s.push(4000, 5, 2, 0); // totals went down: 0, not negative
    expect(s.rates()).toEqual([
      [3, 4],
      [10, 0],
      [1, 0],
    ]);
    expect(s.wait()).toEqual([
      [3, 4],
      [5, 0],
    ]);
    for (let t = 5000; t <= 9000; t += 1000) s.push(t, 5, 2, 0);
    expect(s.rates()[0]).toEqual([7, 8, 9]);
  });

  it('lays history buckets on their start times', () => {
    const d = historyData({ stepMs: 60_000, startMs: 120_000, completed: [1, 2], failed: [0, 3] });
    expect(d).toEqual([
      [120, 180],
      [1, 2],
      [0, 3],
    ]);
  });

  it('colours a queue by its oldest waiting job', () => {
    expect(alertLevel(null)).toBe('ok');
    expect(alertLevel(59_999)).toBe('ok');
    expect(alertLevel(60_000)).toBe('warn');
    expect(alertLevel(300_000)).toBe('alert');
    expect(formatAge(1500)).toBe('2 s');
    expect(formatAge(7_200_000)).toBe('2 h');
  });

  it('chunks bulk work and routes', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(parseRoute('#/queues/a%3Ab/jobs/j1')).toEqual({ page: 'job', queue: 'a:b', id: 'j1' });
    const r = parseRoute('#/queues/q?state=failed');
    expect(r.page === 'queue' && r.params.get('state')).toBe('failed');
  });
});
