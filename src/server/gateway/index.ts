/** The gateway: SSE at `/v1/topics/:topic/events`, WebSocket at `/v1/ws`. (stub) */
import type { App, ServerContext } from '../types.js';

export async function gatewayRoutes(_app: App, _ctx: ServerContext): Promise<void> {}
