/**
 * View state lives in the URL hash (`#/queues/emails?state=failed&offset=40`), so every view can
 * be linked, reloaded and moved through with the browser's back button. Pure parse / format.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'overview' }
  | { page: 'queue'; queue: string; params: URLSearchParams }
  | { page: 'job'; queue: string; id: string }
  | { page: 'topics' }
  | { page: 'topic'; topic: string };

/** Parses a hash (`#/…`) into a route; unknown paths are the overview. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (parts[0] === 'queues' && parts[1] && parts[2] === 'jobs' && parts[3])
    return { page: 'job', queue: parts[1], id: parts[3] };
  if (parts[0] === 'queues' && parts[1]) return { page: 'queue', queue: parts[1], params };
  if (parts[0] === 'topics' && parts[1]) return { page: 'topic', topic: parts[1] };
  if (parts[0] === 'topics') return { page: 'topics' };
  return { page: 'overview' };
}

const e = encodeURIComponent;

/** Links to each view. */
export const href = {
  overview: () => '#/',
  queue: (q: string, params: Record<string, string | number> = {}) => {
    const s = new URLSearchParams(
      Object.entries(params).map(([k, v]) => [k, String(v)] as [string, string]),
    ).toString();
    return `#/queues/${e(q)}${s ? `?${s}` : ''}`;
  },
  job: (q: string, id: string) => `#/queues/${e(q)}/jobs/${e(id)}`,
  topics: () => '#/topics',
  topic: (t: string) => `#/topics/${e(t)}`,
};

/** The current route, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Replaces some query parameters of the current queue view (keeps the others). */
export function setParams(
  queue: string,
  current: URLSearchParams,
  changes: Record<string, string | number | undefined>,
): void {
  const next = new URLSearchParams(current);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') next.delete(k);
    else next.set(k, String(v));
  }
  location.hash = href.queue(queue, Object.fromEntries(next));
}
