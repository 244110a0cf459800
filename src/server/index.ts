/**
 * `sluice/server`: the Sluice server as a library. `createServer` builds the context, the app and
 * the metrics over one configuration; `listen()` binds it, `close()` stops the HTTP server and
 * then closes every Redis handle the context opened.
 *
 * @example
 * ```ts
 * import { createServer, loadConfig } from 'sluice/server';
 * const server = await createServer({ config: loadConfig() });
 * console.log(`open ${await server.listen()}`);
 * process.on('SIGTERM', () => void server.close());
 * ```
 */
import { buildApp } from './app.js';
import { ConfigError } from '../index.js';
import { isLoopbackHost, loadConfig, type ServerConfig } from './config.js';
import { closeContext, createContext } from './context.js';
import { listen } from './listen.js';
import { metricsFor, type ServerMetrics } from './metrics.js';
import type { App, ServerContext } from './types.js';

export { buildApp } from './app.js';
export { resolveConfig, loadConfig, DEFAULT_PORT } from './config.js';
export { urlFor } from './listen.js';
export type { ServerConfig, ConfigFlags, ConfigFiles, LogLevel } from './config.js';
export type { ServerMetrics, MetricsOptions } from './metrics.js';
export type { App, ServerContext, Principal, Authenticator, QueueDirectory } from './types.js';
export type * from './wire.js';

/** What {@link createServer} is built from. */
export interface CreateServerOptions {
  /** A resolved configuration; default {@link loadConfig} over `process.env`. */
  config?: ServerConfig;
}

/** A server: its app, its metrics, and the process-level controls. */
export interface SluiceServer {
  readonly app: App;
  readonly config: ServerConfig;
  readonly context: ServerContext;
  /** The server's metrics; `observeWorker` counts in-process workers. */
  readonly metrics: ServerMetrics;
  /** The URL to open once listening ('' before). */
  readonly url: string;
  /** Binds to the configured host and port; resolves with the URL. */
  listen(): Promise<string>;
  /** Stops accepting, finishes open requests, closes every Redis handle. Idempotent. */
  close(): Promise<void>;
}

/** Builds a server (not yet listening). */
export async function createServer(options: CreateServerOptions = {}): Promise<SluiceServer> {
  const config = options.config ?? loadConfig();
  const context = createContext(config);
  const metrics = metricsFor(context);
  let app: App;
  try {
    app = await buildApp(context);
  } catch (err) {
    await closeContext(context);
    throw err;
  }
  let url = '';
  let closing: Promise<void> | undefined;
  return {
    app,
    config,
    context,
    metrics,
    get url() {
      return url;
    },
    async listen() {
      // The loopback rule holds however the config was built (resolveConfig checks it too).
      if (!config.secret && !isLoopbackHost(config.host))
        throw new ConfigError([
          `host ${config.host} needs a secret: without one the server binds to 127.0.0.1 only`,
        ]);
      url = await listen(app, config.host, config.port);
      return url;
    },
    close() {
      closing ??= (async () => {
        try {
          await app.close();
        } finally {
          await closeContext(context);
        }
      })();
      return closing;
    },
  };
}
