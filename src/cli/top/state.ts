/**
 * `top`'s state: the last snapshot of every queue, rates from the difference between two
 * snapshots, the selected row and the sort order. Pure: `reduce(state, action)` → new state.
 */
import type { QueueStats } from '../wire.js';

/** Sort orders, cycled by `s`. */
export const SORTS = ['name', 'waiting', 'failed', 'rate'] as const;
export type Sort = (typeof SORTS)[number];

/** One queue as drawn: its counts and rates (jobs/s since the previous snapshot). */
export interface Row {
  stats: QueueStats;
  completedPerSec: number | null;
  failedPerSec: number | null;
}

/** Everything the drawer needs. */
export interface TopState {
  rows: Row[];
  selected: number;
  sort: Sort;
  /** The last fetch error (shown in the header until the next snapshot). */
  error?: string;
  /** When the last snapshot arrived (ms since the epoch), 0 before the first. */
  updatedAt: number;
  /** Totals at the previous snapshot, per queue, for rates. */
  previous: Map<string, { at: number; completed: number; failed: number }>;
}

/** What can happen to the view. */
export type Action =
  | { type: 'snapshot'; at: number; queues: QueueStats[] }
  | { type: 'error'; message: string }
  | { type: 'move'; by: number }
  | { type: 'sort' };

export function initialState(): TopState {
  return { rows: [], selected: 0, sort: 'waiting', updatedAt: 0, previous: new Map() };
}

const done = (q: QueueStats) => q.totals?.completed ?? q.completed;
const failed = (q: QueueStats) => q.totals?.failed ?? q.failed;

function order(rows: Row[], sort: Sort): Row[] {
  const by: Record<Sort, (a: Row, b: Row) => number> = {
    name: () => 0,
    waiting: (a, b) => b.stats.waiting - a.stats.waiting,
    failed: (a, b) => b.stats.failed - a.stats.failed,
    rate: (a, b) => (b.completedPerSec ?? 0) - (a.completedPerSec ?? 0),
  };
  return [...rows].sort((a, b) => by[sort](a, b) || a.stats.name.localeCompare(b.stats.name));
}

/** The next state after `action`. */
export function reduce(state: TopState, action: Action): TopState {
  switch (action.type) {
    case 'snapshot': {
      const previous = new Map<string, { at: number; completed: number; failed: number }>();
      const rows = action.queues.map((q): Row => {
        const prev = state.previous.get(q.name);
        previous.set(q.name, { at: action.at, completed: done(q), failed: failed(q) });
        const secs = prev ? (action.at - prev.at) / 1000 : 0;
        const rate = (now: number, then: number) =>
          secs > 0 ? Math.max(0, now - then) / secs : null;
        return {
          stats: q,
          completedPerSec: prev ? rate(done(q), prev.completed) : null,
          failedPerSec: prev ? rate(failed(q), prev.failed) : null,
        };
      });
      const sorted = order(rows, state.sort);
      const { error: _error, ...rest } = state;
      return {
        ...rest,
        rows: sorted,
        previous,
        updatedAt: action.at,
        selected: Math.min(state.selected, Math.max(0, sorted.length - 1)),
      };
    }
    case 'error':
      return { ...state, error: action.message };
    case 'move': {
      const max = Math.max(0, state.rows.length - 1);
      return { ...state, selected: Math.min(max, Math.max(0, state.selected + action.by)) };
    }
    case 'sort': {
      const sort = SORTS[(SORTS.indexOf(state.sort) + 1) % SORTS.length]!;
      return { ...state, sort, rows: order(state.rows, sort) };
    }
  }
}
