/**
 * Loads the `.lua` files under `src/lua` (resolving `-- @include <name>` lines from
 * `src/lua/includes/`), and registers them on a client with ioredis `defineCommand`, which calls
 * by SHA and falls back to sending the source on NOSCRIPT (on every node of a Cluster, and inside
 * pipelines). Each script has one typed wrapper in `src/queue/commands/` or `src/stream/`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'ioredis';
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

/**
 * One script with its KEYS fixed once (a queue's hot path: `add_one`, `add_plain`). A call sends
 * one `EVALSHA` whose arguments are the prepared head (sha, key count, keys) and `args`, with
 * none of the per-call closures and copies of {@link script}; on `NOSCRIPT` (a fresh or flushed
 * server) it sends the source with `EVAL`, as ioredis's own scripts do. A client `keyPrefix`
 * applies to the keys as it does to every other command.
 */
export class PreparedScript {
  /** `script <name>`, for errors. */
  readonly what: string;
  private readonly source: string;
  private readonly head: (string | number)[];
  /** The head (`evalsha`, sha, key count, keys) in RESP, after the `*<count>` line. */
  private readonly headResp: string;

  constructor(
    readonly name: string,
    keys: readonly string[],
  ) {
    this.what = `script ${name}`;
    this.source = scriptSource(name);
    const sha = createHash('sha1').update(this.source).digest('hex');
    this.head = [sha, keys.length, ...keys];
    this.headResp = ['evalsha', ...this.head].map(bulk).join('');
  }

  /** Sends the call on `client` (after the version check, on a connection's first call). */
  call(client: RedisClient, args: readonly (string | number)[]): Promise<unknown> {
    if (!isVersionVerified(client))
      return verifyRedisVersion(client).then(() => this.call(client, args));
    const argv = this.head.concat(args);
    const keyPrefix = client.options.keyPrefix;
    let cmd: Command;
    if (keyPrefix) cmd = new Command('evalsha', argv, { keyPrefix });
    else {
      const pre = new PreEncodedCommand('evalsha', argv);
      pre.headResp = this.headResp;
      pre.headLength = this.head.length;
      cmd = pre;
    }
    void client.sendCommand(cmd);
    return cmd.promise.catch((err: unknown) => {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      argv[0] = this.source;
      const retry = new Command('eval', argv, keyPrefix ? { keyPrefix } : {});
      void client.sendCommand(retry);
      return retry.promise;
    });
  }
}

/** One RESP bulk string. */
function bulk(v: string | number): string {
  const s = String(v);
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}

/**
 * An `EVALSHA` whose constant head (sha, key count, keys) is encoded once per script rather than
 * on every call; ioredis still sees the whole argument list (Cluster slots, re-sends).
 */
class PreEncodedCommand extends Command {
  headResp = '';
  headLength = 0;

  override toWritable(): string {
    const args = this.args as string[];
    let out = `*${args.length + 1}\r\n${this.headResp}`;
    for (let i = this.headLength; i < args.length; i++) out += bulk(args[i]!);
    return out;
  }
}
