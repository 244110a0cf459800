/**
 * The `--compare` section: for every scenario, run and metric, the working tree's Sluice over
 * the ref's build (new / old) — ratio of the medians and the min–max of the per-round ratio.
 */
import { LABELS } from '../contenders/types.js';
import type { Scenario } from '../scenarios/types.js';
import type { Options, Persistence } from './options.js';
import { formatRatio, type Results } from './results.js';

export interface CompareRow {
  pass: Persistence;
  run: string;
  metric: string;
  better: 'higher' | 'lower';
  ratio: string;
}

/** Every new/old ratio the run has, in report order. */
export function compareRows(results: Results, opts: Options, scenarios: Scenario[]): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const pass of opts.persistence)
    for (const sc of scenarios)
      for (const t of sc.tables) {
        const keys = [...t.ratios];
        if (t.metrics.some((m) => m.key === 'cpuUsPerJob') && !keys.includes('cpuUsPerJob'))
          keys.push('cpuUsPerJob');
        for (const v of sc.variants(opts.sizes))
          for (const key of keys) {
            const r = results.ratio(pass, sc.id, v.id, 'sluice', 'sluice-ref', key);
            if (r.rounds === 0) continue;
            const m = t.metrics.find((x) => x.key === key)!;
            const run = `${t.title}${sc.variants(opts.sizes).length > 1 ? `, ${v.label}` : ''}`;
            rows.push({ pass, run, metric: m.label, better: m.better, ratio: formatRatio(r) });
          }
      }
  return rows;
}

export function compareMarkdown(rows: CompareRow[], opts: Options): string {
  if (rows.length === 0) return '';
  const out = [
    `## Compare: working tree / ${LABELS['sluice-ref']}`,
    '',
    `The two builds of Sluice ran in the same run, interleaved round by round like the other ` +
      `contenders (\`--compare ${opts.compare}\`). Each cell: new / old, the ratio of the ` +
      'medians and (with more than one round) the min–max of the per-round ratio. For ' +
      'throughput > 1 is better for the working tree; for latency, memory and CPU < 1 is.',
    '',
    '| Pass | Run | Metric | new / old |',
    '| --- | --- | --- | --- |',
  ];
  for (const r of rows)
    out.push(`| ${r.pass} | ${r.run} | ${r.metric} (${r.better} is better) | ${r.ratio} |`);
  return out.join('\n');
}

export function compareText(rows: CompareRow[]): string {
  return rows
    .map((r) => `${r.pass.padEnd(12)} ${`${r.run}: ${r.metric}`.padEnd(70)} new/old ${r.ratio}`)
    .join('\n');
}
