/**
 * `buildApp`: the one Fastify application, shared by tests (`inject`, real listeners) and by
 * `createServer`. Plugins are registered by hand in a fixed order: error shape first (so every
 * later failure is answered in it), then the OpenAPI generator (it must see every route), then
 * the open routes, the admin scope and the gateway.
 */
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { App, ServerContext } from './types.js';
import { clientError, frameworkError } from './framework-errors.js';
import { registerErrorHandling } from './errors.js';
import { registerLoopbackGuard } from './loopback-guard.js';
import { registerOpenApi } from './openapi.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { queueRoutes } from './routes/queues.js';
import { archiveRoutes } from './routes/archive.js';
import { topicRoutes } from './routes/topics.js';
import { cursorRoutes } from './routes/cursors.js';
import { scheduleRoutes } from './routes/schedules.js';
import { CLOSE, endGatewaySessions, gatewayRoutes } from './gateway/index.js';
import { liveRoutes } from './routes/live.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { loggerOptions, redactUrl, type LogDestination } from './logging.js';
import { sharedSchemas } from './schemas/common.js';
import { queueSchemas } from './schemas/queues.js';
import { topicSchemas } from './schemas/topics.js';
import { scheduleSchemas } from './schemas/schedules.js';
import { cursorSchemas } from './schemas/cursors.js';

/**
 * Fastify's default writes two `info` lines per request: thousands a second on a busy API (and
 * the demo). Here a request is logged once, when answered: at `debug`, at `info` when refused
 * (4xx), at `error` when it failed (the error plugin logs the cause). The URL is redacted.
 */
class RequestLog extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(
    error: Error | null | undefined,
    req: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: req.method,
      url: redactUrl(req.url),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else if (reply.statusCode >= 400 && reply.statusCode < 500) reply.log.info(line, 'refused');
    else reply.log.debug(line, 'answered');
  }
}

/** Options of {@link buildApp} that are not configuration. */
export interface AppOptions {
  /** Where log lines go (a pino destination); default stdout. */
  logDestination?: LogDestination;
}

/**
 * Builds the application over a context. Call `ready()` (or `listen`) before use.
 * @example
 * ```ts
 * const ctx = createContext(config);
 * const app = await buildApp(ctx);
 * await app.listen({ port: config.port, host: config.host });
 * ```
 */
export async function buildApp(ctx: ServerContext, options: AppOptions = {}): Promise<App> {
  const app = Fastify({
    logger: loggerOptions(ctx.config, options.logDestination),
    logController: new RequestLog(),
    // Bodies past the largest payload a job may carry are refused before parsing (413).
    bodyLimit: 8 * 1024 * 1024,
    // Job ids and topic names may hold ':' and '.'; keep the defaults' length guard.
    routerOptions: { maxParamLength: 512 },
    // A schema failure lists every problem, not just the first; an unknown field is refused
    // (not silently stripped: stripping inside `anyOf` would also corrupt the other branch).
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
    // what the router and the HTTP parser refuse is answered in the wire shape too
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerErrorHandling(app);
  if (!ctx.auth.enabled) registerLoopbackGuard(app);
  for (const schema of [
    ...sharedSchemas,
    ...queueSchemas,
    ...topicSchemas,
    ...cursorSchemas,
    ...scheduleSchemas,
  ])
    app.addSchema(schema);
  await registerOpenApi(app);
  await app.register(websocket, {
    options: { maxPayload: 1024 * 1024 },
    // The plugin's own preClose runs before the gateway's and would end every socket with no
    // code (1005). Sockets must see 1001 "going away" with their resume hint (docs/gateway.md):
    // the gateway says goodbye to its sessions first, then whatever is left is closed.
    preClose(done) {
      endGatewaySessions(ctx);
      const server = this.websocketServer;
      for (const client of server.clients) client.close(CLOSE.goingAway, 'server shutting down');
      server.close(() => done());
    },
  });

  await app.register(async (scope) => healthRoutes(scope, ctx));
  await app.register(async (scope) => metricsRoutes(scope, ctx));
  await app.register(async (scope) => queueRoutes(scope, ctx), { prefix: '/v1' });
  await app.register(async (scope) => archiveRoutes(scope, ctx), { prefix: '/v1' });
  await app.register(async (scope) => topicRoutes(scope, ctx), { prefix: '/v1' });
  await app.register(async (scope) => cursorRoutes(scope, ctx), { prefix: '/v1' });
  await app.register(async (scope) => scheduleRoutes(scope, ctx), { prefix: '/v1' });
  await app.register(async (scope) => gatewayRoutes(scope, ctx), { prefix: '/v1' });
  await app.register(async (scope) => liveRoutes(scope, ctx), { prefix: '/v1' });
  await app.register(async (scope) => dashboardRoutes(scope, ctx));
  return app;
}
