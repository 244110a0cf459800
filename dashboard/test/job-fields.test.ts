// @vitest-environment jsdom
/** The Job page's fields in jsdom: the BullMQ-style job fields of issue 13, progress and logs. */
import { describe, expect, it } from 'vitest';
import { h } from 'preact';
import { render } from '@testing-library/preact';
import type { JobWire } from '../src/api/types.js';
import './match-media.js';

const { JobFields, JobLogs, timeline } = await import('../src/pages/Job/Job.js');

const base: JobWire = {
  id: 'j',
  queue: 'q',
  name: 'send',
  data: null,
  priority: 0,
  meta: {},
  options: {},
  createdAt: Date.UTC(2026, 0, 1, 10, 0, 0),
  attemptsMade: 0,
  attemptsStarted: 0,
  stalls: 0,
  totalStalls: 0,
  history: [],
  logs: [],
};

const field = (c: Element, name: string) => c.querySelector(`[data-field=${name}]`)?.textContent;

describe('job fields', () => {
  it('shows attempts made/started, processed and finished times, last error and progress', () => {
    const job: JobWire = {
      ...base,
      state: 'failed',
      attemptsMade: 2,
      attemptsStarted: 3,
      processedOn: Date.UTC(2026, 0, 1, 10, 0, 5),
      finishedOn: Date.UTC(2026, 0, 1, 10, 0, 7),
      failedReason: 'smtp 421',
      progress: { sent: 3 },
    };
    const { container } = render(h(JobFields, { job }));
    expect(field(container, 'attemptsMade')).toBe('2');
    expect(field(container, 'attemptsStarted')).toBe('3');
    expect(field(container, 'processedOn')).toBe('2026-01-01 10:00:05');
    expect(field(container, 'finishedOn')).toBe('2026-01-01 10:00:07');
    expect(field(container, 'failedReason')).toBe('smtp 421');
    expect(field(container, 'progress')).toBe('{"sent":3}');
  });

  it('shows a dash for times a job does not have, and no error or progress row', () => {
    const { container } = render(h(JobFields, { job: { ...base, state: 'waiting' } }));
    expect(field(container, 'processedOn')).toBe('–');
    expect(field(container, 'finishedOn')).toBe('–');
    expect(field(container, 'failedReason')).toBeUndefined();
    expect(field(container, 'progress')).toBeUndefined();
  });

  it('lists the log lines oldest first, or says there is none', () => {
    const lines = render(h(JobLogs, { logs: ['connecting', 'refused'] })).container;
    expect(lines.querySelector('pre.logs')?.textContent).toBe('connecting\nrefused');
    expect(render(h(JobLogs, { logs: [] })).container.textContent).toBe('no log line');
  });

  it('the timeline of a running job shows when its attempt started', () => {
    const job: JobWire = { ...base, state: 'active', processedOn: base.createdAt + 50 };
    expect(timeline(job).map((s) => s.what)).toEqual(['added', 'attempt 1 started']);
  });
});
