/**
 * `GET /healthz`: the process is up (no Redis call: a liveness probe must not fail, and get the
 * process restarted, because Redis is away). `GET /readyz`: Redis answers a PING, every Lua
 * script can be read, and Redis is new enough (checked once per connection) — else 503 with the
 * error shape, so a load balancer stops sending traffic until Redis is back.
 */
import { Type } from '@sinclair/typebox';
import { SluiceError } from '../../index.js';
import type { App, ServerContext } from '../types.js';

const READY_TIMEOUT_MS = 2000;
/** Failures whose message is safe and useful to show (the rest say "internal error"). */
const SHOWN = new Set(['SLC_ERR_CONNECTION', 'SLC_ERR_TIMEOUT', 'SLC_ERR_REDIS_VERSION']);

const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

export async function healthRoutes(app: App, ctx: ServerContext): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'The process is up',
        // Open to every caller: probes carry no token (OpenAPI: an empty list overrides the global).
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Redis is reachable, the scripts are loaded and Redis is new enough',
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ready'), redisLatencyMs: Type.Number() }),
          503: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      try {
        const ms = await ctx.streams.ping({ timeoutMs: READY_TIMEOUT_MS });
        return { status: 'ready' as const, redisLatencyMs: Math.round(ms * 100) / 100 };
      } catch (err) {
        req.log.warn({ err }, 'not ready');
        const code = err instanceof SluiceError ? err.code : 'SLC_ERR_CONNECTION';
        const message =
          err instanceof SluiceError && SHOWN.has(code) ? err.message : 'internal error';
        return reply.code(503).send({ error: { code, message } });
      }
    },
  );
}
