/**
 * `createContext`: the library handles one server process is built over. Queue handles are made
 * on first use and kept (each holds connections); one `Streams` serves every topic (one Redis
 * reader per topic, shared by every local subscriber).
 */
import { Queue, Streams } from '../index.js';
import { createAuthenticator } from './auth.js';
import type { ServerConfig } from './config.js';
import type { QueueDirectory, ServerContext } from './types.js';

function queueDirectory(config: ServerConfig): QueueDirectory {
  const open = new Map<string, Queue>();
  return {
    get(name) {
      let q = open.get(name);
      if (!q) {
        q = new Queue(name, { connection: config.redisUrl, prefix: config.prefix });
        open.set(name, q);
      }
      return q;
    },
    // The registry of names lands with the admin routes.
    names: async () => [...open.keys()].sort(),
    async close() {
      await Promise.all([...open.values()].map((q) => q.close()));
      open.clear();
    },
  };
}

/** Opens the library handles for a configuration. Close with {@link closeContext}. */
export function createContext(config: ServerConfig): ServerContext {
  return {
    config,
    queues: queueDirectory(config),
    streams: new Streams({ connection: config.redisUrl, prefix: config.prefix }),
    auth: createAuthenticator(config.secret),
  };
}

/** Closes every handle the context opened. */
export async function closeContext(ctx: ServerContext): Promise<void> {
  await Promise.all([ctx.queues.close(), ctx.streams.close()]);
}
