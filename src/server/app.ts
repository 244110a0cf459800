/**
 * `buildApp`: the one Fastify application, shared by tests (`inject`, real listeners) and by
 * `createServer`. Plugins are registered by hand in a fixed order: error shape first (so every
 * later failure is answered in it), then the OpenAPI generator (it must see every route), then
 * the open routes, the admin scope and the gateway.
 */
import Fastify from 'fastify';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { App, ServerContext } from './types.js';
import { registerErrorHandling } from './errors.js';
import { registerOpenApi } from './openapi.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { queueRoutes } from './routes/queues.js';
import { topicRoutes } from './routes/topics.js';
import { gatewayRoutes } from './gateway/index.js';
import { liveRoutes } from './routes/live.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { loggerOptions } from './logging.js';

/** Builds the application over a context. Call `ready()` (or `listen`) before use. */
export async function buildApp(ctx: ServerContext): Promise<App> {
  const app = Fastify({
    logger: loggerOptions(ctx.config),
    // Bodies past the largest payload a job may carry are refused before parsing (413).
    bodyLimit: 8 * 1024 * 1024,
    // Job ids and topic names may hold ':' and '.'; keep the defaults' length guard.
    maxParamLength: 512,
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerErrorHandling(app);
  await registerOpenApi(app);
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });

  await app.register(async (scope) => healthRoutes(scope, ctx));
  await app.register(async (scope) => metricsRoutes(scope, ctx));
  await app.register(async (scope) => queueRoutes(scope, ctx), { prefix: '/v1' });
  await app.register(async (scope) => topicRoutes(scope, ctx), { prefix: '/v1' });
  await app.register(async (scope) => gatewayRoutes(scope, ctx), { prefix: '/v1' });
  await app.register(async (scope) => liveRoutes(scope, ctx), { prefix: '/v1' });
  await app.register(async (scope) => dashboardRoutes(scope, ctx));
  return app;
}
