/**
 * `createContext`: the library handles one server process is built over. Queue handles are made
 * on first use and kept, all over one command connection (a `Queues` set); one `Streams` serves
 * every topic (one Redis reader per topic, shared by every local subscriber); one `Registry`
 * lists the names in use; with a database, the outbox side (`outbox.ts`).
 */
import { Queues, Registry, Streams } from '../index.js';
import { createAuthenticator } from './auth.js';
import type { ServerConfig } from './config.js';
import { closeOutbox, openOutbox } from './outbox.js';
import type { QueueDirectory, ServerContext } from './types.js';

function queueDirectory(config: ServerConfig, registry: Registry): QueueDirectory {
  // One command connection for every queue handle, however many queues the registry lists.
  const queues = new Queues({ connection: config.redisUrl, prefix: config.prefix });
  // Names seen in the registry; a name never leaves it, so a yes is kept.
  const seen = new Set<string>();
  return {
    get: (name) => queues.get(name),
    async names() {
      const names = await registry.queues();
      for (const n of names) seen.add(n);
      return names;
    },
    async known(name) {
      if (seen.has(name)) return true;
      const yes = await registry.has('queues', name);
      if (yes) seen.add(name);
      return yes;
    },
    close: () => queues.close(),
  };
}

/** Opens the library handles for a configuration. Close with {@link closeContext}. */
export function createContext(config: ServerConfig): ServerContext {
  const registry = new Registry({ connection: config.redisUrl, prefix: config.prefix });
  const outbox = openOutbox(config);
  return {
    config,
    queues: queueDirectory(config, registry),
    streams: new Streams({ connection: config.redisUrl, prefix: config.prefix }),
    registry,
    auth: createAuthenticator(config.secret),
    ...(outbox ? { outbox } : {}),
  };
}

/** Closes every handle the context opened. */
export async function closeContext(ctx: ServerContext): Promise<void> {
  await closeOutbox(ctx.outbox);
  await Promise.all([ctx.queues.close(), ctx.streams.close(), ctx.registry.close()]);
}
