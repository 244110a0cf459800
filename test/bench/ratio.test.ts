/**
 * The bench's ratios: ratio of medians with the min–max of the per-round ratio (repetition r of
 * one contender over repetition r of the other), and the report sections other tools keep.
 */
import { describe, expect, it } from 'vitest';
import { formatRatio, Results } from '../../bench/lib/results.js';
import { findSection, replaceSection } from '../../bench/lib/sections.js';

function results(sluice: number[], other: number[]): Results {
  const r = new Results();
  const add = (contender: 'sluice' | 'bullmq', values: number[]) =>
    values.forEach((x, i) =>
      r.add({
        pass: 'none',
        scenario: 'drain',
        variant: 'v',
        contender,
        rep: i + 1,
        metrics: { x },
      }),
    );
  add('sluice', sluice);
  add('bullmq', other);
  return r;
}

describe('bench ratios', () => {
  it('pairs the rounds: the range is of per-round ratios, not of medians', () => {
    // Medians 20 / 10 = 2; per round 10/5 = 2, 20/10 = 2, 30/20 = 1.5.
    const r = results([10, 20, 30], [5, 10, 20]).ratio(
      'none',
      'drain',
      'v',
      'sluice',
      'bullmq',
      'x',
    );
    expect(r).toEqual({ ofMedians: 2, min: 1.5, max: 2, rounds: 3 });
    expect(formatRatio(r)).toBe('2.00× (1.50–2.00)');
  });

  it('skips a round one side failed, and shows no range for a single round', () => {
    const res = results([10, 20], [5]);
    const r = res.ratio('none', 'drain', 'v', 'sluice', 'bullmq', 'x');
    expect(r.rounds).toBe(1);
    expect(formatRatio(r)).toBe('3.00×');
    expect(formatRatio({ ofMedians: NaN, min: NaN, max: NaN, rounds: 0 })).toBe('n/a');
  });
});

describe('bench report sections', () => {
  const md = '# R\n\n## A\n\na\n\n## Scaling of cost\n\nold\n\n## B\n\nb\n';

  it('replaces a section in place and appends one that is missing', () => {
    expect(findSection(md, '## Scaling of cost')).toBe('## Scaling of cost\n\nold\n\n');
    const next = replaceSection(md, '## Scaling of cost', '## Scaling of cost\n\nnew $& $1\n');
    expect(next).toBe('# R\n\n## A\n\na\n\n## Scaling of cost\n\nnew $& $1\n\n## B\n\nb\n');
    expect(replaceSection('# R\n', '## C', '## C\n\nc')).toBe('# R\n\n## C\n\nc\n');
  });
});
