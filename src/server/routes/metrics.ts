/** (stub) */
import type { App, ServerContext } from '../types.js';

export async function metricsRoutes(_app: App, _ctx: ServerContext): Promise<void> {}
