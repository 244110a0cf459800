/**
 * `sluice/server`: the Sluice server as a library. (stub: createServer lands with the config.)
 */
export { buildApp } from './app.js';
export type { App, ServerContext, Principal, Authenticator, QueueDirectory } from './types.js';
export type { ServerConfig } from './config.js';
