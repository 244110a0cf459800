/**
 * A small query cache: one entry per key, shared by every component that reads it, refetched
 * when an action invalidates its key (by prefix). Enough for an operator UI; no library needed.
 */
import { useEffect, useState } from 'preact/hooks';

interface Entry {
  data?: unknown;
  error?: Error;
  loading: boolean;
  /** Bumped on every settled fetch, so a subscriber can tell it missed one. */
  version: number;
  fetcher: () => Promise<unknown>;
  listeners: Set<() => void>;
}

const entries = new Map<string, Entry>();

function load(key: string, entry: Entry): void {
  entry.loading = true;
  entry
    .fetcher()
    .then(
      (data) => {
        entry.data = data;
        entry.error = undefined;
      },
      (err: unknown) => {
        entry.error = err instanceof Error ? err : new Error(String(err));
      },
    )
    .finally(() => {
      entry.loading = false;
      entry.version++;
      if (entries.get(key) === entry) for (const l of entry.listeners) l();
    });
}

/** Refetches every entry whose key starts with `prefix` (all entries for ''). */
export function invalidate(prefix = ''): void {
  for (const [key, entry] of entries) {
    if (!key.startsWith(prefix)) continue;
    if (entry.listeners.size > 0) load(key, entry);
    else entries.delete(key);
  }
}

/** What a resource hook returns. */
export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** Reads `key` (fetching it on first use) and re-renders when it changes. */
export function useResource<T>(key: string, fetcher: () => Promise<T>): Resource<T> {
  const [, setTick] = useState(0);
  let entry = entries.get(key);
  if (!entry) {
    entry = { loading: true, version: 0, fetcher, listeners: new Set() };
    entries.set(key, entry);
    load(key, entry);
  }
  const e = entry;
  const seen = e.version;
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    e.listeners.add(l);
    // A fast fetch can settle between this render and the effect: its notification found no
    // listener, so re-render now or the page would wait for ever on data it already has.
    if (e.version !== seen) l();
    return () => e.listeners.delete(l);
  }, [e]);
  return {
    data: e.data as T | undefined,
    error: e.error,
    loading: e.loading,
    reload: () => load(key, e),
  };
}

/** Forgets everything (on logout). */
export function resetStore(): void {
  entries.clear();
}
