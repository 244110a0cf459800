/**
 * The one error plugin: every failure — a `SluiceError` from the library or a guard, Fastify's
 * own (schema validation, bad JSON, body too large, media type), an unknown route or a wrong
 * method — is answered as `{"error":{"code","message"}}` with the status of its code. 5xx text
 * is hidden ("internal error") and the real error is logged.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PayloadError, RequestError, SluiceError } from '../index.js';
import type { App } from './types.js';

interface FastifyLike {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
  validationContext?: string;
}

/** One line per schema problem, e.g. `body/delay must be >= 0`. */
function problems(e: FastifyLike): string[] {
  const where = e.validationContext ?? 'request';
  return (e.validation ?? []).map((v) => {
    const extra = v.params?.additionalProperty ?? v.params?.allowedValues;
    return `${where}${v.instancePath ?? ''} ${v.message ?? 'is invalid'}${
      extra === undefined ? '' : ` (${JSON.stringify(extra)})`
    }`;
  });
}

/**
 * The `SluiceError` a failure is answered as.
 * @example
 * ```ts
 * toSluiceError(fastifyValidationError).code // 'SLC_ERR_BAD_REQUEST'
 * ```
 */
export function toSluiceError(err: unknown): SluiceError {
  if (err instanceof SluiceError) return err;
  const e = (err ?? {}) as FastifyLike;
  if (e.validation) {
    const list = [...new Set(problems(e))];
    return new RequestError('SLC_ERR_BAD_REQUEST', list.join('; ') || 'invalid request', {
      cause: err,
    });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadError('SLC_ERR_PAYLOAD_TOO_LARGE', 'the request body is too large', {
        cause: err,
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new RequestError(
        'SLC_ERR_BAD_REQUEST',
        'unsupported content type: send application/json',
        { cause: err },
      );
  }
  const status = e.statusCode ?? 500;
  if (status === 413)
    return new PayloadError('SLC_ERR_PAYLOAD_TOO_LARGE', 'the request body is too large');
  if (status >= 400 && status < 500) {
    const message =
      err instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
        ? 'the body is not valid JSON'
        : (e.message ?? 'bad request');
    return new RequestError('SLC_ERR_BAD_REQUEST', message, { cause: err });
  }
  return new SluiceError('SLC_ERR_INTERNAL', 'internal error', { cause: err });
}

/** Sends `err` in the wire shape; logs it when it is a 5xx (whose text the caller never sees). */
export function sendError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const e = toSluiceError(err);
  if (e.status >= 500) req.log.error({ err }, 'request failed');
  const message = e.status >= 500 ? 'internal error' : e.message;
  return reply.status(e.status).send({ error: { code: e.code, message } });
}

/** Route patterns (`/v1/queues/:queue`) and the methods each answers, to tell 404 from 405. */
class RouteIndex {
  private readonly routes: { re: RegExp; methods: Set<string> }[] = [];
  private readonly byUrl = new Map<string, Set<string>>();

  add(url: string, methods: string | string[]): void {
    let set = this.byUrl.get(url);
    if (!set) {
      set = new Set();
      this.byUrl.set(url, set);
      const body = url
        .split('/')
        .map((seg) =>
          seg === '*'
            ? '.*'
            : seg.startsWith(':')
              ? '[^/]+'
              : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/');
      this.routes.push({ re: new RegExp(`^${body}/?$`), methods: set });
    }
    for (const m of [methods].flat()) set.add(m.toUpperCase());
  }

  /** Methods some route answers for this concrete path (empty: no route has the path). */
  methodsFor(path: string): string[] {
    const out = new Set<string>();
    for (const r of this.routes) if (r.re.test(path)) for (const m of r.methods) out.add(m);
    return [...out].sort();
  }
}

/** Registers the error handler, the 404/405 handler and the route index on the root app. */
export function registerErrorHandling(app: App): void {
  const index = new RouteIndex();
  app.addHook('onRoute', (route) => index.add(route.url, route.method));
  app.setErrorHandler((err: FastifyError, req, reply) => sendError(req, reply, err));
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const allowed = index.methodsFor(path);
    if (allowed.length === 0)
      return sendError(req, reply, new RequestError('SLC_ERR_NOT_FOUND', `no route ${path}`));
    void reply.header('allow', allowed.join(', '));
    return sendError(
      req,
      reply,
      new RequestError(
        'SLC_ERR_METHOD_NOT_ALLOWED',
        `${req.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
      ),
    );
  });
}
