/**
 * Loads the `.lua` files under `src/lua` (resolving `-- @include <name>` lines from
 * `src/lua/includes/`), and registers them on a client with ioredis `defineCommand`, which calls
 * by SHA and falls back to sending the source on NOSCRIPT (on every node of a Cluster, and inside
 * pipelines). Each script has one typed wrapper in `src/queue/commands/` or `src/stream/`.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from './connection.js';
import { isVersionVerified, verifyRedisVersion } from './version.js';

const here = dirname(fileURLToPath(import.meta.url));
// From src/redis (tsx, tests) or dist/redis (built): both have ../lua beside them.
const LUA_DIR = join(here, '..', 'lua');

const sources = new Map<string, string>();

/** The source of script `name` with its includes expanded. */
export function scriptSource(name: string): string {
  let src = sources.get(name);
  if (src === undefined) {
    src = expandIncludes(readFileSync(join(LUA_DIR, `${name}.lua`), 'utf8'), new Set());
    sources.set(name, src);
  }
  return src;
}

/**
 * Reads every script (includes expanded) once; throws if one is missing or an include is
 * broken, e.g. a build that did not copy `lua/`. Health checks call it; the library otherwise
 * reads each script on its first use. Returns how many there are.
 */
export function loadAllScripts(): number {
  const names = readdirSync(LUA_DIR)
    .filter((f) => f.endsWith('.lua'))
    .map((f) => f.slice(0, -4));
  for (const name of names) scriptSource(name);
  return names.length;
}

function expandIncludes(src: string, seen: Set<string>): string {
  return src.replace(/^-- @include (\S+)\s*$/gm, (_line, inc: string) => {
    if (seen.has(inc)) return '';
    seen.add(inc);
    const path = join(LUA_DIR, 'includes', `${inc}.lua`);
    if (!existsSync(path)) throw new Error(`lua include not found: ${inc}`);
    return expandIncludes(readFileSync(path, 'utf8'), seen);
  });
}

const registered = new WeakMap<RedisClient, Set<string>>();

/** A script callable on `client`: `(keys, args) => reply`. */
export type ScriptCall = (
  keys: readonly string[],
  args: readonly (string | number)[],
) => Promise<unknown>;

/**
 * Returns a caller for script `name` on `client`, registering it on first use.
 * Works on a pipeline as well via {@link scriptCommandName}. The first script call on a
 * connection waits for the Redis version check (`version.ts`); later ones skip it.
 */
export function script(client: RedisClient, name: string): ScriptCall {
  ensureDefined(client, name);
  const cmd = scriptCommandName(name);
  const call: ScriptCall = (keys, args) =>
    (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[cmd]!(
      keys.length,
      ...keys,
      ...args,
    );
  return (keys, args) =>
    isVersionVerified(client)
      ? call(keys, args)
      : verifyRedisVersion(client).then(() => call(keys, args));
}

/** The ioredis command name a script is registered under. */
export function scriptCommandName(name: string): string {
  return `sluice_${name}`;
}

/** Registers script `name` on `client` if not yet done. */
export function ensureDefined(client: RedisClient, name: string): void {
  let names = registered.get(client);
  if (!names) {
    names = new Set();
    registered.set(client, names);
  }
  if (names.has(name)) return;
  client.defineCommand(scriptCommandName(name), { lua: scriptSource(name) });
  names.add(name);
}
