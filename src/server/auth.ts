/**
 * Tokens: HS256 JWTs verified with `jose` (its HMAC check is constant-time). Claims:
 * - `sub` (optional): who the caller is; `exp` (optional, but `sluice token` always sets one);
 * - `role`: `admin` (every admin route), `viewer` (admin routes that only read), absent = none;
 * - `topics`: names or `prefix*` patterns the caller may read (`*` = all);
 * - `publish`: `true` (every topic it may read) or its own list of names / patterns.
 * With no secret the authenticator is off: every caller is an admin (the server is on loopback).
 */
import type { FastifyRequest } from 'fastify';
import { errors, jwtVerify } from 'jose';
import { AuthError } from '../index.js';
import type { Authenticator, Principal } from './types.js';

const OPEN: Principal = { admin: true, readOnly: false, read: ['*'], publish: ['*'] };

/** Whether `topic` matches one of `patterns` (exact names, `prefix*`, or `*`). */
export function topicMatches(patterns: readonly string[], topic: string): boolean {
  for (const p of patterns) {
    if (p.endsWith('*') ? topic.startsWith(p.slice(0, -1)) : p === topic) return true;
  }
  return false;
}

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/** Builds the authenticator for a secret (or none). */
export function createAuthenticator(secret: string | undefined): Authenticator {
  if (!secret) {
    return {
      enabled: false,
      verify: async () => OPEN,
      canRead: () => true,
      canPublish: () => true,
    };
  }
  const key = new TextEncoder().encode(secret);
  return {
    enabled: true,
    async verify(token) {
      if (!token) throw new AuthError('SLC_ERR_UNAUTHORIZED', 'a bearer token is required');
      let payload;
      try {
        ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'] }));
      } catch (err) {
        if (err instanceof errors.JWTExpired) {
          throw new AuthError('SLC_ERR_TOKEN_EXPIRED', 'the token has expired');
        }
        throw new AuthError('SLC_ERR_UNAUTHORIZED', 'the token is not valid');
      }
      const read = stringList(payload.topics) ?? [];
      const publish =
        payload.publish === true ? read : (stringList(payload.publish) ?? ([] as string[]));
      const role = payload.role;
      return {
        ...(typeof payload.sub === 'string' ? { subject: payload.sub } : {}),
        admin: role === 'admin' || role === 'viewer',
        readOnly: role === 'viewer',
        read,
        publish,
        ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}),
      };
    },
    canRead: (p, topic) => p.admin || topicMatches(p.read, topic),
    canPublish: (p, topic) => (p.admin && !p.readOnly) || topicMatches(p.publish, topic),
  };
}

// --- route guards -------------------------------------------------------------------------

const principals = new WeakMap<FastifyRequest, Principal>();

/**
 * The caller's token: `Authorization: Bearer <token>`, or `?token=` on GET (EventSource and
 * links cannot set headers). Undefined when there is none.
 * @example
 * ```ts
 * const principal = await ctx.auth.verify(bearerToken(request));
 * ```
 */
export function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string') return /^Bearer +(\S+)$/i.exec(header.trim())?.[1];
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  const token = (req.query as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/**
 * `onRequest` hook of a scope: verifies the token (401) and keeps the principal.
 * @example
 * ```ts
 * app.addHook('onRequest', principalHook(ctx.auth));
 * app.get('/x/:topic', (req) => requireTopic(ctx.auth, principalOf(req), req.params.topic, 'read'));
 * ```
 */
export function principalHook(auth: Authenticator) {
  return async (req: FastifyRequest): Promise<void> => {
    principals.set(req, await auth.verify(bearerToken(req)));
  };
}

/**
 * `onRequest` hook of the admin scope: the admin role for everything, the viewer role for
 * reads (GET) only; anything else is `SLC_ERR_FORBIDDEN`.
 * @example
 * ```ts
 * app.addHook('onRequest', adminHook(ctx.auth));
 * ```
 */
export function adminHook(auth: Authenticator) {
  return async (req: FastifyRequest): Promise<void> => {
    const p = await auth.verify(bearerToken(req));
    principals.set(req, p);
    requireAdmin(p, req.method);
  };
}

/** Throws `SLC_ERR_FORBIDDEN` unless `p` may call an admin route with `method`. */
export function requireAdmin(p: Principal, method: string): void {
  if (!p.admin) throw new AuthError('SLC_ERR_FORBIDDEN', 'this route needs an admin token');
  if (p.readOnly && method !== 'GET' && method !== 'HEAD')
    throw new AuthError('SLC_ERR_FORBIDDEN', 'a viewer token may only read');
}

/** Throws `SLC_ERR_FORBIDDEN` unless `p` may read (or publish to) `topic`. */
export function requireTopic(
  auth: Authenticator,
  p: Principal,
  topic: string,
  access: 'read' | 'publish',
): void {
  const ok = access === 'read' ? auth.canRead(p, topic) : auth.canPublish(p, topic);
  if (!ok) throw new AuthError('SLC_ERR_FORBIDDEN', `the token may not ${access} topic ${topic}`);
}

/** The principal a guard hook verified for this request. */
export function principalOf(req: FastifyRequest): Principal {
  const p = principals.get(req);
  if (!p) throw new Error('principalOf: no auth hook ran for this route');
  return p;
}
