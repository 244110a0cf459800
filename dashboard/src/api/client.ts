/**
 * The one API client: every call the dashboard makes goes through `request`, which adds the
 * token (kept in memory only: never in the URL, never in storage) and turns the server's error
 * shape `{error:{code,message}}` into an {@link ApiError}. Paths are relative, so the dashboard
 * works wherever the server mounts it.
 */
import type {
  History,
  JobPage,
  JobState,
  JobWire,
  QueueCounts,
  SearchPage,
  Session,
  TopicInfo,
} from './types.js';

/** A failed call: the server's stable code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let token: string | undefined;

/** Sets (or clears) the token every later call sends. */
export function setToken(t: string | undefined): void {
  token = t;
}

/** The token in memory (the live streams send it as a header too). */
export function currentToken(): string | undefined {
  return token;
}

/** Headers of an authenticated call. */
export function authHeaders(): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: {
      ...authHeaders(),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, err?.code ?? 'SLC_ERR_HTTP', err?.message ?? res.statusText);
  }
  return json as T;
}

const q = encodeURIComponent;

/** Every route the dashboard uses, typed. */
export const api = {
  session: () => request<Session>('GET', 'v1/session'),
  queues: () => request<{ queues: QueueCounts[] }>('GET', 'v1/queues'),
  queue: (name: string) => request<QueueCounts>('GET', `v1/queues/${q(name)}`),
  jobs: (name: string, state: JobState, offset: number, limit: number) =>
    request<JobPage>(
      'GET',
      `v1/queues/${q(name)}/jobs?state=${state}&offset=${offset}&limit=${limit}`,
    ),
  job: (name: string, id: string) => request<JobWire>('GET', `v1/queues/${q(name)}/jobs/${q(id)}`),
  history: (name: string, range: '1h' | '7d') =>
    request<History>('GET', `v1/queues/${q(name)}/history?range=${range}`),
  search: (name: string, text: string, field: string, cursor: string) =>
    request<SearchPage>(
      'GET',
      `v1/queues/${q(name)}/search?q=${q(text)}&field=${q(field)}` +
        (cursor !== '0' ? `&cursor=${q(cursor)}` : ''),
    ),
  pause: (name: string) => request<{ paused: boolean }>('POST', `v1/queues/${q(name)}/pause`),
  resume: (name: string) => request<{ paused: boolean }>('POST', `v1/queues/${q(name)}/resume`),
  clear: (name: string, includeFailed = false) =>
    request<{ removed: number }>('POST', `v1/queues/${q(name)}/clear`, {
      includeFailed,
      keepDelayed: false, // the button says "waiting and delayed"
    }),
  retryFailed: (name: string, ids?: string[]) =>
    request<{ retried: number }>('POST', `v1/queues/${q(name)}/retry-failed`, ids ? { ids } : {}),
  promote: (name: string, id: string) =>
    request<{ promoted: boolean }>('POST', `v1/queues/${q(name)}/jobs/${q(id)}/promote`),
  remove: (name: string, id: string) =>
    request<{ removed: boolean }>('DELETE', `v1/queues/${q(name)}/jobs/${q(id)}`),
  topics: () => request<{ total: number; topics: TopicInfo[] }>('GET', 'v1/topics?limit=1000'),
  topic: (name: string) => request<TopicInfo>('GET', `v1/topics/${q(name)}`),
};
