/** (stub) */
import type { App, ServerContext } from '../types.js';

export async function queueRoutes(_app: App, _ctx: ServerContext): Promise<void> {}
