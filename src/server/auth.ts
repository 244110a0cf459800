/**
 * Tokens: HS256 JWTs verified with `jose` (its HMAC check is constant-time). Claims:
 * - `sub` (optional): who the caller is; `exp` (optional, but `sluice token` always sets one);
 * - `role`: `admin` (every admin route), `viewer` (admin routes that only read), absent = none;
 * - `topics`: names or `prefix*` patterns the caller may read (`*` = all);
 * - `publish`: `true` (every topic it may read) or its own list of names / patterns.
 * With no secret the authenticator is off: every caller is an admin (the server is on loopback).
 */
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
