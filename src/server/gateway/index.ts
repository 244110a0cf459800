/**
 * The gateway: stream entries to browsers and services, live, with exact resume. SSE at
 * `GET /v1/topics/:topic/events`, WebSocket at `GET /v1/ws`, both over one hub per process (one
 * library subscription per live topic, fanned out; see hub.ts). Protocols: docs/gateway.md.
 */
import type { App, ServerContext } from '../types.js';
import { closeGateway, createGateway, gatewayOf } from './gateway.js';
import { sseRoutes } from './sse.js';
import { wsRoutes } from './ws.js';

export { gatewayStats } from './gateway.js';
export type { GatewayStats } from './stats.js';
export type { GatewayOptions } from './options.js';
export { CLOSE } from './codes.js';

/** Registers both gateway routes; sessions end as "going away" when the server closes. */
export async function gatewayRoutes(app: App, ctx: ServerContext): Promise<void> {
  const gw = createGateway(ctx);
  sseRoutes(app, gw);
  wsRoutes(app, gw);
  app.addHook('preClose', async () => closeGateway(gw));
}

/** Ends every gateway session of `ctx` as "going away", with its resume hint (idempotent). */
export function endGatewaySessions(ctx: ServerContext): void {
  const gw = gatewayOf(ctx);
  if (gw) closeGateway(gw);
}
