/**
 * With no secret, every caller is an admin and the server listens on loopback only. A browser
 * can still reach loopback: a page from anywhere may send a "simple" cross-origin POST (no
 * preflight), open a WebSocket (no CORS at all), or read answers through DNS rebinding (a name
 * of its own that resolves to 127.0.0.1). So in that mode a request must name a loopback host,
 * and a request that carries an `Origin` must come from a loopback origin: the dashboard, the
 * CLI, curl and local services pass; a web page elsewhere is refused with 403.
 */
import { AuthError } from '../index.js';
import type { App } from './types.js';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The host name of a `Host` header or an origin, without port and brackets kept for IPv6. */
function hostName(hostPort: string): string {
  const h = hostPort.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** Whether a request with these headers may be served by a server with no secret. */
export function loopbackAllowed(host: string | undefined, origin: string | undefined): boolean {
  if (host !== undefined && !LOOPBACK_NAMES.has(hostName(host))) return false;
  if (origin === undefined) return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false; // `null` (a sandboxed page, a file) or garbage: not a local origin
  }
  return LOOPBACK_NAMES.has(hostName(originHost));
}

/** Refuses, on a server with no secret, requests that a foreign web page could have sent. */
export function registerLoopbackGuard(app: App): void {
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (!loopbackAllowed(req.headers.host, typeof origin === 'string' ? origin : undefined)) {
      // A refused WebSocket upgrade's socket is no HTTP keep-alive connection the server would
      // reap (it would hold `close()` open): end it once the answer is written.
      if (req.headers.upgrade) {
        reply.header('connection', 'close');
        reply.raw.once('finish', () => req.raw.socket.destroy());
      }
      throw new AuthError(
        'SLC_ERR_FORBIDDEN',
        'without a secret the server answers only loopback hosts and origins',
      );
    }
  });
}
