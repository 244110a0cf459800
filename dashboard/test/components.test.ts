// @vitest-environment jsdom
/** Components in jsdom: the queue table's alert colours and links, the job timeline, confirm. */
import { describe, expect, it } from 'vitest';
import { h } from 'preact';
import { fireEvent, render, screen } from '@testing-library/preact';
import './match-media.js';

const { QueueTable } = await import('../src/pages/Overview/Overview.js');
const { timeline } = await import('../src/pages/Job/Job.js');
const { ConfirmButton } = await import('../src/components/ui.js');

const counts = (name: string, oldest: number | null) => ({
  name,
  waiting: 2,
  active: 0,
  delayed: 0,
  completed: 5,
  failed: 1,
  paused: name === 'b',
  oldestWaitingAgeMs: oldest,
  totals: { completed: 5, failed: 1 },
  perMinute: { completed: 3, failed: 0 },
});

describe('components', () => {
  it('QueueTable links each queue and colours an old waiting job', () => {
    const { container } = render(
      h(QueueTable, { queues: [counts('a', 1000), counts('b', 400_000)] }),
    );
    expect(container.querySelector('tr[data-queue=a]')!.className).toBe('level-ok');
    expect(container.querySelector('tr[data-queue=b]')!.className).toBe('level-alert');
    expect(screen.getByText('a').getAttribute('href')).toBe('#/queues/a');
    expect(screen.getByText('paused')).toBeTruthy();
    expect(container.querySelector('input[type=checkbox]')).toBeNull();
  });

  it('ConfirmButton acts only after the confirmation', () => {
    let done = 0;
    render(h(ConfirmButton, { label: 'Clear', question: 'Sure?', onConfirm: () => void done++ }));
    fireEvent.click(screen.getByText('Clear'));
    expect(screen.getByText('Sure?')).toBeTruthy();
    fireEvent.click(screen.getByText('Cancel'));
    expect(done).toBe(0);
    fireEvent.click(screen.getByText('Clear'));
    fireEvent.click(screen.getByText('Yes, clear'));
    expect(done).toBe(1);
  });

  it('timeline orders a job life', () => {
    const steps = timeline({
      id: 'j',
      queue: 'q',
      name: '',
      data: null,
      priority: 0,
      state: 'failed',
      meta: {},
      options: {},
      createdAt: 1,
      attemptsMade: 1,
      attemptsStarted: 1,
      stalls: 0,
      totalStalls: 0,
      history: [{ at: 5, error: 'boom' }],
      timestamp: 5,
      logs: [],
    });
    expect(steps.map((s) => s.what)).toEqual(['added', 'attempt 1 failed: boom', 'failed']);
  });
});
