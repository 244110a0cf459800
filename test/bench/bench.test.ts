/**
 * The benchmark harness works: `bench/run.ts --tiny` (a few hundred jobs, one repetition, both
 * passes) writes a report whose shape is right — every table, every contender row, numbers that
 * parse, the targets checklist. It asserts nothing about speed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONTENDERS = ['Sluice', 'BullMQ', 'Bee-Queue', 'raw ceiling'];
const QUEUES = ['Sluice', 'BullMQ', 'Bee-Queue'];
const NUMBER = /^-?[\d,]+(\.\d+)?( \(-?[\d,]+(\.\d+)?–-?[\d,]+(\.\d+)?\))?$/;
// Lateness can be negative (a queue that counts the delay from its own later clock reading), and
// so can a ratio of two latenesses.
// A ratio of medians, with the min–max of the per-round ratio when there was more than one round.
const RATIO = /^-?\d+\.\d\d×( \(-?\d+\.\d\d–-?\d+\.\d\d\))?$/;
const RATIO_OR_NA = /^(-?\d+\.\d\d×( \(-?\d+\.\d\d–-?\d+\.\d\d\))?|n\/a)$/;

interface Table {
  head: string[];
  rows: string[][];
}

/** The tables under the `#### <title>` heading: the main one, then the ratios. */
function tablesUnder(md: string, title: string): Table[] {
  const start = md.indexOf(`#### ${title}\n`);
  expect(start, `section "${title}"`).toBeGreaterThanOrEqual(0);
  const rest = md.slice(start + 5);
  const end = rest.search(/\n#{2,4} /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const tables: Table[] = [];
  let current: string[][] | undefined;
  for (const line of section.split('\n')) {
    if (line.startsWith('|')) {
      const cells = line
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim());
      if (!current) tables.push({ head: cells, rows: (current = []) });
      else if (!cells.every((c) => c === '---')) current.push(cells);
    } else current = undefined;
  }
  return tables;
}

function run(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('bench harness (tiny mode)', () => {
  let dir: string;
  let md: string;
  let records: { error?: string }[];
  let stdout: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
    const out = join(dir, 'RESULTS.md');
    const json = join(dir, 'results.json');
    const r = await run(['--tiny', '--out', out, '--json', json]);
    expect(r.code, r.stderr).toBe(0);
    stdout = r.stdout;
    md = readFileSync(out, 'utf8');
    records = JSON.parse(readFileSync(json, 'utf8')) as { error?: string }[];
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('states date, command, machine and versions', () => {
    expect(md).toMatch(/^- Date: \d{4}-\d\d-\d\dT/m);
    expect(md).toMatch(/^- Command: `npm run bench -- --tiny /m);
    expect(md).toMatch(/^- Machine: \d+ cores \(.+\), [\d.]+ GiB memory/m);
    expect(md).toMatch(/^- Versions: Node v\d+.*Redis \d+\.\d+.*bullmq \d.*bee-queue \d/m);
  });

  it('made every run without an error', () => {
    expect(records.length).toBeGreaterThan(0);
    expect(records.filter((r) => r.error)).toEqual([]);
    expect(md).not.toContain('## Failed runs');
  });

  const passes = ['no persistence', 'AOF, appendfsync everysec'];
  const single = [
    ['Enqueue in bulk', CONTENDERS, passes],
    ['Redis memory per waiting job', CONTENDERS, passes],
    ['Enqueue one by one', CONTENDERS, passes],
    ['Latency add → handler start at a steady rate', CONTENDERS, passes.slice(0, 1)],
  ] as const;

  for (const [title, who, inPasses] of single) {
    for (const pass of inPasses) {
      it(`has "${title}" (${pass}) with a row per contender and numbers that parse`, () => {
        const [main, ratios] = tablesUnder(md, `${title} (${pass})`);
        expect(main!.head[0]).toBe('Contender');
        expect(main!.rows.map((r) => r[0])).toEqual(who);
        for (const row of main!.rows) {
          expect(row.length).toBe(main!.head.length);
          for (const cell of row.slice(1)) expect(cell).toMatch(NUMBER);
        }
        expect(ratios!.head).toEqual(
          expect.arrayContaining(['Sluice/BullMQ', 'Sluice/Bee-Queue', 'Sluice/raw ceiling']),
        );
        // A latency median can be 0.00 ms in tiny mode: its ratio is then n/a (no division by 0).
        const ratio = /atency|lateness/.test(title) ? RATIO_OR_NA : RATIO;
        for (const row of ratios!.rows) {
          expect(row[1]).toMatch(ratio);
          expect(row[2]).toMatch(ratio);
        }
      });
    }
  }

  for (const [pass, runs] of [
    [passes[0]!, ['c=1, kept', 'c=1, removed', 'c=100, kept', 'c=100, removed']],
    [passes[1]!, ['c=100, removed']],
  ] as const) {
    it(`has the drain table (${pass}) with every run × contender`, () => {
      const [main, ratios] = tablesUnder(md, `Drain (${pass})`);
      const expected = runs.flatMap((run) =>
        (run.endsWith('kept') ? QUEUES : CONTENDERS).map((c) => `${run} / ${c}`),
      );
      expect(main!.rows.map((r) => `${r[0]} / ${r[1]}`)).toEqual(expected);
      for (const row of main!.rows) for (const cell of row.slice(2)) expect(cell).toMatch(NUMBER);
      expect(ratios!.rows.map((r) => r[0])).toEqual(runs);
      for (const row of ratios!.rows) {
        expect(row[2]).toMatch(RATIO);
        expect(row[3]).toMatch(RATIO);
        expect(row[4]).toMatch(row[0]!.endsWith('removed') ? RATIO : /^n\/a$/);
      }
    });
  }

  it('has the delayed table: both connection orders after an idle worker, per queue', () => {
    const title = `Delayed jobs: lateness of the handler start (${passes[0]})`;
    const [main, ratios] = tablesUnder(md, title);
    const orders = ['worker connected first', 'producer connected first'];
    expect(main!.rows.map((r) => `${r[0]} / ${r[1]}`)).toEqual(
      orders.flatMap((o) => QUEUES.map((c) => `${o} / ${c}`)),
    );
    for (const row of main!.rows) for (const cell of row.slice(2)) expect(cell).toMatch(NUMBER);
    expect(ratios!.rows.map((r) => r[0])).toEqual(orders.flatMap((o) => [o, o]));
    for (const row of ratios!.rows) expect(row[2]).toMatch(RATIO_OR_NA);
    expect(md).toMatch(/After every worker sat idle 0\.5 s/);
  });

  it('checks every target of issue 14, each with its figure, in the report and on stdout', () => {
    const section = md.slice(md.indexOf('## Targets'), md.indexOf('## Pass:'));
    const lines = section.split('\n').filter((l) => l.startsWith('- ['));
    const expected = [
      'Drain c=100 (removed): ≥ 4× BullMQ',
      'Drain c=100 (removed): ≥ 3× Bee-Queue',
      'Drain c=100 (removed): ≥ 0.75× the raw ceiling',
      'Drain c=10 (removed): ≥ 3× BullMQ',
      'Drain c=10 (removed): ≥ 2× Bee-Queue',
      'Drain c=1 (removed): ≥ 2× Bee-Queue',
      'Bulk enqueue: ≥ 2× Bee-Queue',
      'Single add (100 in flight): ≥ Bee-Queue',
      'Latency add → start at 1,000 jobs/s: p99 ≤ Bee-Queue’s',
      'p99), worker connected first, worker idle 0.5 s (a shorter idle',
      'p99), producer connected first, worker idle 0.5 s (a shorter idle',
      'Redis memory per waiting job: ≤ 0.5× Bee-Queue’s',
      'CPU per job at a steady 1,000 jobs/s (Node + Redis): ≤ Bee-Queue’s',
      'Durable stream publish → subscriber p50: ≤ 1.2× Redis Pub/Sub',
    ];
    for (const text of expected)
      expect(
        lines.some((l) => l.includes(text)),
        text,
      ).toBe(true);
    expect(lines.length).toBe(19);
    for (const l of lines) expect(l).toMatch(/ — (\*\*met\*\*|\*\*not met\*\*|_not measured_)/);
    // Tiny mode drains at c=1 and c=100 only and skips the streams: every other target has
    // its figure.
    const measured = lines.filter((l) => !l.includes('Drain c=10 ') && !l.includes('stream'));
    for (const l of measured) expect(l).toMatch(/\*\*(met|not met)\*\*: .*\d/);
    expect(stdout).toContain('Targets (no-persistence pass):');
    expect(stdout.split('\n').filter((l) => /^\[( |x)\] /.test(l)).length).toBe(19);
  });

  it('appends the stream section (or says why not)', () => {
    expect(md).toMatch(/^## Streams/m);
  });
});

describe('bench harness --compare (tiny mode)', () => {
  it('runs the working tree and a git ref side by side and reports new/old per run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-cmp-'));
    try {
      const out = join(dir, 'RESULTS.md');
      const args = ['--tiny', '--compare', 'HEAD', '--contenders', 'sluice', '--persistence'];
      const r = await run([...args, 'none', '--only', 'enqueue-bulk,drain', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const md = readFileSync(out, 'utf8');
      expect(md).toMatch(/^- Versions: .*Sluice .* compared with HEAD \(git [0-9a-f]+\)/m);
      const [main, ratios] = tablesUnder(md, 'Enqueue in bulk (no persistence)');
      expect(main!.rows.map((row) => row[0])).toEqual(['Sluice', 'Sluice @HEAD']);
      expect(ratios!.head).toContain('Sluice/Sluice @HEAD');
      const compare = md.slice(md.indexOf('## Compare: working tree / Sluice @HEAD'));
      const rows = compare.split('\n').filter((l) => l.startsWith('| none |'));
      const runs = rows.map((l) => l.split('|')[2]!.trim());
      expect(runs).toEqual(
        expect.arrayContaining(['Enqueue in bulk', 'Drain, c=1, kept', 'Drain, c=100, removed']),
      );
      for (const l of rows) expect(l.split('|')[4]!.trim()).toMatch(RATIO);
      expect(r.stdout).toMatch(/Compare, working tree \/ HEAD:\n.*new\/old \d/);
      // The ref's checkout is gone.
      const worktrees = spawnSync('git', ['worktree', 'list'], { cwd: ROOT, encoding: 'utf8' });
      expect(worktrees.stdout).not.toContain('sluice-compare-');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('bench harness: the fenced floor (tiny mode)', () => {
  // (the default run leaves it out: its tables' rows are pinned to CONTENDERS above)
  it('takes part when named, and then runs every job to its fenced ack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-floor-'));
    try {
      const out = join(dir, 'RESULTS.md');
      const json = join(dir, 'results.json');
      const args = ['--tiny', '--only', 'latency,drain', '--persistence', 'none'];
      const r = await run([...args, '--contenders', 'sluice,fenced', '--out', out, '--json', json]);
      expect(r.code, r.stderr).toBe(0);
      const md = readFileSync(out, 'utf8');
      // a run ends only when the consumer reported every job completed: a fenced floor that
      // lost a wake-up or an ack would time out here instead
      const [main, ratios] = tablesUnder(
        md,
        'Latency add → handler start at a steady rate (no persistence)',
      );
      expect(main!.rows.map((row) => row[0])).toEqual(['Sluice', 'fenced floor']);
      expect(ratios!.head).toContain('Sluice/fenced floor');
      // and it drains (removed only: it keeps nothing), at every concurrency
      const [drain] = tablesUnder(md, 'Drain (no persistence)');
      const floorRuns = drain!.rows.filter((row) => row[1] === 'fenced floor').map((row) => row[0]);
      expect(floorRuns).toEqual(['c=1, removed', 'c=100, removed']);
      const records = JSON.parse(readFileSync(json, 'utf8')) as { error?: string }[];
      expect(records.filter((x) => x.error)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
