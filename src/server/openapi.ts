/** `GET /openapi.json`, generated from the route schemas by @fastify/swagger. (stub) */
import type { App } from './types.js';

export async function registerOpenApi(_app: App): Promise<void> {}
