/**
 * pino options for the server: structured JSON, with every secret and token redacted. Headers
 * that carry credentials are censored wherever a line holds them, and a request's URL is logged
 * with its `token` query parameter replaced, since `?token=` is how EventSource authenticates.
 */
import type { FastifyServerOptions } from 'fastify';
import type { ServerConfig } from './config.js';

/** Where log lines go (a pino destination); stdout when not given. */
export interface LogDestination {
  write(line: string): void;
}

/** Paths pino censors in every line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["set-cookie"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'cookie',
  'token',
  'secret',
  '*.token',
  '*.secret',
  '*.authorization',
];

/**
 * `url` with the value of every `token` query parameter replaced by `[Redacted]`.
 * @example
 * ```ts
 * redactUrl('/v1/t/events?token=eyJ…&after=0') // '/v1/t/events?token=[Redacted]&after=0'
 * ```
 */
export function redactUrl(url: string): string {
  // Keys are matched decoded, as the query parser reads them: `?%74oken=` is a token too.
  return url.replace(/([?&;])([^=&#;]*)=([^&#;]*)/g, (all, sep: string, key: string) => {
    let name = key;
    try {
      name = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      // a malformed escape: compare the raw key
    }
    return /^(token|access_token)$/i.test(name) ? `${sep}${key}=[Redacted]` : all;
  });
}

/** {@link redactUrl} of a string; anything else as it is. */
function redactAny(v: unknown): unknown {
  return typeof v === 'string' ? redactUrl(v) : v;
}

interface RawReq {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
}

/**
 * Logger options of `buildApp` for a configuration (`false` when the level is `silent`).
 * @example
 * ```ts
 * Fastify({ logger: loggerOptions(config, process.stderr) });
 * ```
 */
export function loggerOptions(
  config: ServerConfig,
  destination?: LogDestination,
): FastifyServerOptions['logger'] {
  if (config.logLevel === 'silent') return false;
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    serializers: {
      // a plugin's own line may carry the URL under these keys (@fastify/websocket logs an
      // upgrade to a route without a WebSocket handler as `{ path }`)
      path: redactAny,
      url: redactAny,
      req: (req: RawReq) => ({
        method: req.method,
        url: redactUrl(req.url ?? ''),
        host: req.host ?? req.hostname,
        remoteAddress: req.ip,
      }),
    },
    ...(destination ? { stream: destination } : {}),
  };
}
