/** Renders a bench run as markdown: header, one table per scenario and pass, ratios, targets. */
import { LABELS } from '../contenders/types.js';
import type { Scenario, TableDef } from '../scenarios/types.js';
import { aofCoverage, type Options, type Persistence } from './options.js';
import { formatRatio, type Results } from './results.js';
import { targetsMarkdown, type TargetOutcome } from './targets.js';

export interface ReportHeader {
  date: string;
  command: string;
  machine: string;
  versions: string;
  durationS: number;
  load: string;
}

const PASS_TITLE: Record<Persistence, string> = {
  none: 'no persistence',
  'aof-everysec': 'AOF, appendfsync everysec',
};

function fmt(x: number, digits: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function tableMarkdown(
  results: Results,
  opts: Options,
  pass: Persistence,
  sc: Scenario,
  t: TableDef,
): string {
  const variants = sc.variants(opts.sizes);
  const multiVariant = variants.length > 1;
  const out: string[] = [];
  out.push(`#### ${t.title} (${PASS_TITLE[pass]})`, '', t.about(opts.sizes), '');
  const head = [...(multiVariant ? ['Run'] : []), 'Contender', ...t.metrics.map((m) => m.label)];
  out.push(row(head), row(head.map(() => '---')));
  for (const v of variants) {
    for (const c of opts.contenders) {
      const cell = results.cell(pass, sc.id, v.id, c);
      if (cell.length === 0) continue;
      const values = t.metrics.map((m) => {
        const s = results.spread(pass, sc.id, v.id, c, m.key);
        if (s.n === 0) return cell.some((r) => r.error) ? 'error' : 'n/a';
        if (s.n === 1) return fmt(s.median, m.digits);
        return `${fmt(s.median, m.digits)} (${fmt(s.min, m.digits)}–${fmt(s.max, m.digits)})`;
      });
      out.push(row([...(multiVariant ? [v.label] : []), LABELS[c], ...values]));
    }
  }
  const others = opts.contenders.filter((c) => c !== 'sluice');
  if (opts.contenders.includes('sluice') && others.length && t.ratios.length) {
    out.push(
      '',
      'Ratios Sluice / other: of the medians, and (in brackets, with more than one round) the ' +
        'min–max of the ratio taken round by round (each round runs every contender back to back).',
      '',
    );
    const rh = [
      ...(multiVariant ? ['Run'] : []),
      'Metric',
      ...others.map((c) => `Sluice/${LABELS[c]}`),
    ];
    out.push(row(rh), row(rh.map(() => '---')));
    for (const v of variants) {
      if (
        !results.records.some((r) => r.pass === pass && r.scenario === sc.id && r.variant === v.id)
      )
        continue;
      for (const key of t.ratios) {
        const m = t.metrics.find((x) => x.key === key)!;
        const cells = others.map((c) =>
          formatRatio(results.ratio(pass, sc.id, v.id, 'sluice', c, key)),
        );
        const metric = `${m.label} (${m.better} is better)`;
        out.push(row([...(multiVariant ? [v.label] : []), metric, ...cells]));
      }
    }
  }
  return out.join('\n');
}

/** The runs whose Redis command statistics the report shows (the last repetition of each). */
const COMMAND_STATS_RUNS = [
  { scenario: 'drain', variant: 'c100-removed', title: 'Drain c=100, removed' },
  { scenario: 'drain', variant: 'c100-kept', title: 'Drain c=100, kept' },
  { scenario: 'drain', variant: 'c10-removed', title: 'Drain c=10, removed' },
  { scenario: 'enqueue-single', variant: 'single', title: 'Enqueue one by one' },
  { scenario: 'latency', variant: 'steady', title: 'Latency run, 1,000 jobs/s (light load)' },
];

/** Redis commands per job (no-persistence pass, last repetition), per contender. */
function commandStatsMarkdown(results: Results, opts: Options): string {
  const out: string[] = [];
  for (const run of COMMAND_STATS_RUNS) {
    const recs = opts.contenders
      .map((c) =>
        results
          .cell('none', run.scenario, run.variant, c)
          .filter((r) => !r.error && r.commandStats)
          .at(-1),
      )
      .filter((r) => r !== undefined);
    if (recs.length === 0) continue;
    out.push('', `${run.title}:`, '', row(['Contender', 'Top commands']), row(['---', '---']));
    for (const r of recs) {
      const jobs = r.jobs ?? 1;
      const top = Object.entries(r.commandStats!)
        .filter(([cmd]) => !/^(config|info|quit|client|select|script)/.test(cmd))
        .sort((a, b) => b[1].usec - a[1].usec)
        .slice(0, 8)
        .map(
          ([cmd, s]) => `${cmd} ${(s.calls / jobs).toFixed(2)} / ${(s.usec / jobs).toFixed(1)} µs`,
        )
        .join('; ');
      out.push(row([LABELS[r.contender], top]));
    }
  }
  if (out.length === 0) return '';
  return [
    '',
    'From `INFO commandstats` (no-persistence pass, last repetition): per command, calls per job ' +
      '/ µs of Redis time per job, the 8 costliest. Commands a script runs count on their own ' +
      'line and inside `fcall` (`evalsha`/`eval` for the other libraries), so lines do not add ' +
      'up: `fcall` is Sluice’s scripts’ total.',
    ...out,
  ].join('\n');
}

export function renderReport(
  results: Results,
  opts: Options,
  scenarios: Scenario[],
  header: ReportHeader,
  extraSections: string[],
  targets: TargetOutcome[],
): string {
  const out: string[] = [];
  out.push(
    '# Sluice benchmark results',
    '',
    `- Date: ${header.date} (run took ${Math.round(header.durationS)} s)`,
    `- Command: \`${header.command}\``,
    `- Machine: ${header.machine}`,
    `- Load average (1/5/15 min) at start / end: ${header.load}`,
    `- Versions: ${header.versions}`,
    `- Mode: ${opts.mode}; ${opts.sizes.reps} repetition(s) per run; cells show the median ` +
      `(min–max) of the repetitions. Every run starts on an empty server (FLUSHALL, SCRIPT FLUSH, FUNCTION FLUSH).`,
    '',
    'How to read this: see `bench/README.md`.',
    '',
  );
  if (opts.persistence.includes('none')) {
    out.push(
      '## Targets (no-persistence pass)',
      '',
      'The targets in force for this run (the list and its history: `bench/README.md`). A ratio ' +
        'shows the ratio of the medians and, in brackets, the min–max of the per-round ratio. ' +
        'Why a target is not met, with the measurements that show it: `bench/README.md`, ' +
        '"Memory per waiting job" and "The other targets not met".',
      '',
      targetsMarkdown(targets),
      '',
    );
  }
  for (const pass of opts.persistence) {
    out.push(`## Pass: ${PASS_TITLE[pass]}`, '');
    if (pass === 'aof-everysec') out.push(`This pass makes ${aofCoverage(opts)}.`, '');
    for (const sc of scenarios) {
      for (const t of sc.tables) {
        if (!results.records.some((r) => r.pass === pass && r.scenario === sc.id)) continue;
        out.push(tableMarkdown(results, opts, pass, sc, t), '');
      }
    }
  }
  const cmd = commandStatsMarkdown(results, opts);
  if (cmd) out.push('## Where Redis time goes', cmd, '');
  out.push(...extraSections.map((s) => s.trimEnd() + '\n'));
  const errors = results.errors();
  if (errors.length) {
    out.push('## Failed runs', '');
    for (const e of errors)
      out.push(`- ${e.pass} / ${e.scenario} / ${e.variant} / ${e.contender} #${e.rep}: ${e.error}`);
    out.push('');
  }
  return out.join('\n');
}
