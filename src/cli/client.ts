/**
 * The HTTP client every server command uses: JSON in and out over `fetch`, the bearer token in
 * the `Authorization` header, the server's `{"error":{code,message}}` mapped to {@link ApiError},
 * and a failure to connect mapped to `SLC_ERR_CONNECTION` (exit 3), as is a proxy's 502–504
 * page; another answer without the error shape gets the code of its status (else
 * `SLC_ERR_INTERNAL`).
 */
import { ConnectionError, TimeoutError, type SluiceErrorCode } from '../index.js';
import type { CliConfig } from './config.js';
import { ApiError } from './errors.js';

/**
 * Longest wait for one answer (the calls are pages or single jobs: a server that takes longer
 * is stuck, or its Redis is away past the library's retry budget of ~16 s). `clear`, which the
 * server works through in one call, has none.
 */
export const REQUEST_TIMEOUT_MS = 60_000;

type Query = Record<string, string | number | boolean | undefined>;

/** The calls commands make; each resolves with the parsed JSON body. */
export interface Api {
  readonly url: string;
  get<T>(path: string, query?: Query): Promise<T>;
  /** `untimed`: a call the server may work on for long (`clear` of a big queue). */
  post<T>(path: string, body?: unknown, opts?: { untimed?: boolean }): Promise<T>;
  delete<T>(path: string): Promise<T>;
  /** Opens a streaming GET (SSE); the caller reads `body`. */
  stream(path: string, query: Query, signal: AbortSignal): Promise<Response>;
}

/** Encodes one path segment (queue, topic, job id). */
export const seg = (s: string): string => encodeURIComponent(s);

function withQuery(base: string, path: string, query: Query = {}): string {
  const u = new URL(base + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
  return u.href;
}

/** Codes for an error answer without the server's error shape (a proxy's page), by status. */
const STATUS_CODES: Record<number, SluiceErrorCode> = {
  400: 'SLC_ERR_BAD_REQUEST',
  401: 'SLC_ERR_UNAUTHORIZED',
  403: 'SLC_ERR_FORBIDDEN',
  404: 'SLC_ERR_NOT_FOUND',
  405: 'SLC_ERR_METHOD_NOT_ALLOWED',
  413: 'SLC_ERR_PAYLOAD_TOO_LARGE',
};

async function errorOf(res: Response, url: string): Promise<Error> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const e = body.error;
    if (e && typeof e.code === 'string') {
      return new ApiError(e.code, typeof e.message === 'string' ? e.message : '', res.status);
    }
  } catch {
    // not the error shape: described by its status below
  }
  const what = `HTTP ${res.status} ${res.statusText}`.trim();
  // 502–504 without the error shape: a proxy in front could not reach the server (exit 3).
  if (res.status >= 502 && res.status <= 504)
    return new ConnectionError(`cannot reach the server at ${url} (${what} from a proxy)`);
  return new ApiError(STATUS_CODES[res.status] ?? 'SLC_ERR_INTERNAL', what, res.status);
}

/** Builds the client for a resolved configuration. */
export function createApi(
  config: CliConfig,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Api {
  const headers = (json: boolean): Record<string, string> => ({
    accept: 'application/json',
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(config.token ? { authorization: `Bearer ${config.token}` } : {}),
  });

  const timedOut = () =>
    new TimeoutError(`the server at ${config.url} did not answer within ${timeoutMs / 1000} s`);

  async function send(url: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetchImpl(url, init);
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw timedOut();
      if ((err as Error).name === 'AbortError') throw err;
      const cause = (err as { cause?: { code?: string } }).cause;
      const why = cause?.code ? ` (${cause.code})` : '';
      throw new ConnectionError(`cannot reach the server at ${config.url}${why}`, { cause: err });
    }
    if (!res.ok) throw await errorOf(res, config.url);
    return res;
  }

  async function json<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Query,
    untimed = false,
  ) {
    const res = await send(withQuery(config.url, path, query), {
      method,
      // a server that accepted the connection and never answers must not hang the command
      ...(untimed ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
      headers: headers(body !== undefined),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      // the timer may also fire while the body is read
      if ((err as Error).name === 'TimeoutError') throw timedOut();
      throw err;
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return {
    url: config.url,
    get: (path, query) => json('GET', path, undefined, query),
    post: (path, body, opts) => json('POST', path, body ?? {}, undefined, opts?.untimed),
    delete: (path) => json('DELETE', path),
    stream: (path, query, signal) =>
      send(withQuery(config.url, path, query), {
        headers: { ...headers(false), accept: 'text/event-stream' },
        signal,
      }),
  };
}
