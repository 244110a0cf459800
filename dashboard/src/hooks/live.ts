/**
 * The live queue figures: one SSE stream (`GET /v1/live/queues`) per page, pushed by the server's
 * shared poller about once a second. Every component reads the same stream and the same
 * per-queue series (rates and wait times kept in {@link LiveSeries}).
 */
import { useEffect, useState } from 'preact/hooks';
import { openSse } from '../api/sse.js';
import type { LiveSnapshot } from '../api/types.js';
import { LiveSeries } from '../charts/series.js';

type Listener = (s: LiveSnapshot) => void;

const listeners = new Set<Listener>();
const series = new Map<string, LiveSeries>();
const total = new LiveSeries();
let latest: LiveSnapshot | undefined;
let close: (() => void) | undefined;

function onSnapshot(s: LiveSnapshot): void {
  latest = s;
  let c = 0;
  let f = 0;
  let wait = 0;
  for (const q of s.queues) {
    let one = series.get(q.name);
    if (!one) series.set(q.name, (one = new LiveSeries()));
    one.push(s.t, q.totals.completed, q.totals.failed, q.oldestWaitingAgeMs ?? 0);
    c += q.totals.completed;
    f += q.totals.failed;
    wait = Math.max(wait, q.oldestWaitingAgeMs ?? 0);
  }
  total.push(s.t, c, f, wait);
  for (const l of listeners) l(s);
}

/** The series of one queue, or of all queues together (`undefined`). */
export function liveSeries(queue?: string): LiveSeries {
  if (queue === undefined) return total;
  let one = series.get(queue);
  if (!one) series.set(queue, (one = new LiveSeries()));
  return one;
}

/** Subscribes to the live stream while mounted; returns the latest snapshot. */
export function useLive(): LiveSnapshot | undefined {
  const [snap, setSnap] = useState(latest);
  useEffect(() => {
    listeners.add(setSnap);
    if (!close) {
      close = openSse('v1/live/queues', (e) => {
        if (e.event === 'stats') onSnapshot(JSON.parse(e.data) as LiveSnapshot);
      });
    }
    return () => {
      listeners.delete(setSnap);
      if (listeners.size === 0) {
        close?.();
        close = undefined;
      }
    };
  }, []);
  return snap;
}
