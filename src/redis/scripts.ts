/**
 * Loads the `.lua` files under `src/lua` (one per operation, in folders by area: `queue/jobs`,
 * `queue/admin`, `stream`, …; names are unique across them), resolving `-- @include <name>` lines
 * from `src/lua/includes/`, and registers them on a client with ioredis `defineCommand`, which
 * calls by SHA and falls back to sending the source on NOSCRIPT (on every node of a Cluster, and
 * inside pipelines). Each script has one typed wrapper in `src/queue/commands/` or `src/stream/`.
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
const INCLUDES = 'includes';

let paths: Map<string, string> | undefined;

/** Script name → its file, for every `.lua` under `src/lua` but the includes. */
function scriptPaths(): Map<string, string> {
  if (paths) return paths;
  const found = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!(dir === LUA_DIR && entry.name === INCLUDES)) walk(path);
      } else if (entry.name.endsWith('.lua')) {
        const name = entry.name.slice(0, -4);
        if (found.has(name))
          throw new Error(`two Lua scripts named ${name}: ${found.get(name)}, ${path}`);
        found.set(name, path);
      }
    }
  };
  walk(LUA_DIR);
  return (paths = found);
}

/** The names of every script (not the includes). */
export function scriptNames(): string[] {
  return [...scriptPaths().keys()];
}

const sources = new Map<string, string>();

/** The source of script `name` with its includes expanded. */
export function scriptSource(name: string): string {
  let src = sources.get(name);
  if (src === undefined) {
    const path = scriptPaths().get(name);
    if (!path) throw new Error(`no Lua script named ${name} under ${LUA_DIR}`);
    src = expandIncludes(readFileSync(path, 'utf8'), new Set());
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
  const names = scriptNames();
  for (const name of names) scriptSource(name);
  return names.length;
}

function expandIncludes(src: string, seen: Set<string>): string {
  return src.replace(/^-- @include (\S+)\s*$/gm, (_line, inc: string) => {
    if (seen.has(inc)) return '';
    seen.add(inc);
    const path = join(LUA_DIR, INCLUDES, `${inc}.lua`);
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
 * One script with its KEYS fixed once (a queue's hot path: adds, fetch, complete). A call sends
 * one command whose arguments are the prepared head (sha, key count, keys) and `args`, with
 * none of the per-call closures and copies of {@link script}. As ioredis's own scripts do, the
 * first call on each socket sends the source (`EVAL`), later ones the SHA (`EVALSHA`), so a
 * fresh server never answers `NOSCRIPT`: that reply and the re-send behind it would put the
 * call's reply after those of the commands sent behind it (a worker's ack behind its wait). A
 * `NOSCRIPT` (a `SCRIPT FLUSH` since) re-sends the source. A client `keyPrefix` applies to the
 * keys as it does to every other command.
 */
export class PreparedScript {
  /** `script <name>`, for errors. */
  readonly what: string;
  readonly source: string;
  private readonly head: (string | number)[];
  /** The head (`evalsha`, sha, key count, keys) in RESP, after the `*<count>` line. */
  readonly headResp: string;
  /** Sockets this script was sent to in full: they call it by SHA from then on. */
  loadedOn = new WeakSet<object>();

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

  /** Arguments before the call's own: sha, key count, keys. */
  get headLength(): number {
    return this.head.length;
  }

  /** Sends the call on `client` (after the version check, on a connection's first call). */
  call(client: RedisClient, args: readonly (string | number)[]): Promise<unknown> {
    if (!isVersionVerified(client))
      return verifyRedisVersion(client).then(() => this.call(client, args));
    const keyPrefix = client.options.keyPrefix;
    // Replies as strings, as ioredis's own commands give them (a Command's default is Buffers).
    const options = keyPrefix ? { keyPrefix, replyEncoding: 'utf8' as const } : UTF8;
    const cmd = new ScriptCommand(this, this.head.concat(args), options, !keyPrefix);
    void client.sendCommand(cmd);
    return cmd.promise.catch((err: unknown) => {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      this.loadedOn = new WeakSet(); // flushed: every socket sends the source again, once
      const retry = new ScriptCommand(this, this.head.concat(args), options, !keyPrefix);
      void client.sendCommand(retry);
      return retry.promise;
    });
  }
}

const UTF8 = { replyEncoding: 'utf8' } as const;

/**
 * A call of a {@link PreparedScript}: `EVAL` with the source on a socket it was not sent to yet,
 * else `EVALSHA` whose constant head is encoded once per script rather than on every call.
 * ioredis still sees the whole argument list (Cluster slots, re-sends on a new socket).
 */
class ScriptCommand extends Command {
  constructor(
    private readonly script: PreparedScript,
    argv: (string | number)[],
    options: ConstructorParameters<typeof Command>[2],
    /** No key prefix: the keys are the prepared head's. */
    private readonly plainKeys: boolean,
  ) {
    super('evalsha', argv, options);
  }

  override toWritable(socket: object): string | Buffer {
    const s = this.script;
    if (!s.loadedOn.has(socket)) {
      s.loadedOn.add(socket);
      this.name = 'eval';
      this.args[0] = s.source;
      return super.toWritable(socket);
    }
    if (this.name === 'eval' || !this.plainKeys) return super.toWritable(socket);
    const args = this.args as string[];
    let out = `*${args.length + 1}\r\n${s.headResp}`;
    for (let i = s.headLength; i < args.length; i++) out += bulk(args[i]!);
    return out;
  }
}

/** One RESP bulk string. */
function bulk(v: string | number): string {
  const s = String(v);
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}
