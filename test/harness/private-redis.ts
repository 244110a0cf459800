/**
 * A redis-server of the test file's own (no persistence), for tests that read server-wide
 * figures — INFO commandstats, SLOWLOG — which other files' work on the shared server would
 * blur. Starts before the file's tests, stops after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { Redis } from 'ioredis';
import { RedisServer } from './redis-server.js';

export interface PrivateRedis {
  readonly server: RedisServer;
  /** A plain client on it, for the test's own reads. */
  readonly raw: Redis;
  /** Calls per command since the last `CONFIG RESETSTAT` (commands run inside scripts count too). */
  commandCalls(): Promise<Record<string, number>>;
}

/** Registers the file's server (beforeAll / afterAll); read its fields inside tests. */
export function usePrivateRedis(): PrivateRedis {
  let server: RedisServer | undefined;
  let raw: Redis | undefined;
  beforeAll(async () => {
    server = await RedisServer.start({ persistence: 'none' });
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    raw?.disconnect();
    await server?.stop();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the private redis-server starts in beforeAll');
    return v;
  };
  return {
    get server() {
      return started(server);
    },
    get raw() {
      return started(raw);
    },
    async commandCalls() {
      const info = await started(raw).info('commandstats');
      const out: Record<string, number> = {};
      for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
      return out;
    },
  };
}
