/**
 * Loads the `.lua` files under `src/lua` (one per operation, in folders by area: `queue/jobs`,
 * `queue/admin`, `stream`, …; names are unique across them), resolving `-- @include <name>` lines
 * from `src/lua/includes/`, and calls them: as Redis Functions where the server has them
 * (`FCALL`; see `functions.ts` for why), else by SHA with the source sent first on each socket.
 * Each script has one typed wrapper in `src/queue/commands/` or `src/stream/`.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'ioredis';
import type { RedisClient } from './connection.js';
import {
  callMode,
  forgetLoad,
  loadWrittenOn,
  luaForms,
  refusedBeforeRun,
  type LuaForms,
} from './functions.js';
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

const forms = new Map<string, LuaForms>();

/** Script `name` in both forms (for `EVAL` and as a function library: see `functions.ts`). */
export function scriptForms(name: string): LuaForms {
  let f = forms.get(name);
  if (f === undefined) {
    const path = scriptPaths().get(name);
    if (!path) throw new Error(`no Lua script named ${name} under ${LUA_DIR}`);
    // Every script names its includes at its top, before any code of its own (a test checks).
    const seen = new Set<string>();
    let includes = '';
    const body = readFileSync(path, 'utf8').replace(INCLUDE_LINE, (_line, inc: string) => {
      includes += expandInclude(inc, seen);
      return '';
    });
    f = luaForms(name, includes, body);
    forms.set(name, f);
  }
  return f;
}

/** The source of script `name` with its includes expanded (its `EVAL` form). */
export function scriptSource(name: string): string {
  return scriptForms(name).source;
}

/**
 * Reads every script (includes expanded) once; throws if one is missing or an include is
 * broken, e.g. a build that did not copy `lua/`. Health checks call it; the library otherwise
 * reads each script on its first use. Returns how many there are.
 */
export function loadAllScripts(): number {
  const names = scriptNames();
  for (const name of names) scriptForms(name);
  return names.length;
}

/**
 * The script a command runs, from its name and first argument (`EVALSHA <sha>`, `EVAL
 * <source>`, `FCALL <function>`), or undefined: for tools that count calls per script.
 */
export function scriptOfCommand(command: string, first: string): string | undefined {
  const cmd = command.toLowerCase();
  if (cmd !== 'evalsha' && cmd !== 'eval' && cmd !== 'fcall') return undefined;
  for (const name of scriptNames()) {
    const f = scriptForms(name);
    if (first === f.sha || first === f.fn || first === f.source) return name;
  }
  return undefined;
}

const INCLUDE_LINE = /^-- @include (\S+)\s*$/gm;

function expandInclude(inc: string, seen: Set<string>): string {
  if (seen.has(inc)) return '';
  seen.add(inc);
  const path = join(LUA_DIR, INCLUDES, `${inc}.lua`);
  if (!existsSync(path)) throw new Error(`lua include not found: ${inc}`);
  return readFileSync(path, 'utf8').replace(INCLUDE_LINE, (_line, nested: string) =>
    expandInclude(nested, seen),
  );
}

/** A script callable on `client`: `(keys, args) => reply`. */
export type ScriptCall = (
  keys: readonly string[],
  args: readonly (string | number)[],
) => Promise<unknown>;

/**
 * Returns a caller for script `name` on `client`. The first script call on a connection waits
 * for the Redis version check (`version.ts`); later ones skip it.
 */
export function script(client: RedisClient, name: string): ScriptCall {
  const f = scriptForms(name);
  const s = sentTo(name, f);
  return (keys, args) => send(client, s, [f.sha, keys.length, ...keys, ...args]);
}

/**
 * One script with its KEYS fixed once (a queue's hot path: adds, fetch, complete). A call sends
 * one command whose arguments are the prepared head (function or SHA, key count, keys) and
 * `args`, with none of the per-call copies of {@link script}. A client `keyPrefix` applies to the
 * keys as it does to every other command.
 */
export class PreparedScript {
  /** `script <name>`, for errors. */
  readonly what: string;
  private readonly sent: SentScript;
  private readonly head: (string | number)[];
  private readonly heads: PreparedHeads;

  constructor(
    readonly name: string,
    keys: readonly string[],
  ) {
    this.what = `script ${name}`;
    const f = scriptForms(name);
    this.head = [f.sha, keys.length, ...keys];
    this.sent = sentTo(name, f);
    this.heads = {
      evalsha: ['evalsha', ...this.head].map(bulk).join(''),
      fcall: ['fcall', f.fn, ...this.head.slice(1)].map(bulk).join(''),
      length: this.head.length,
    };
  }

  /** Sends the call on `client` (after the version check, on a connection's first call). */
  call(client: RedisClient, args: readonly (string | number)[]): Promise<unknown> {
    return send(client, this.sent, this.head.concat(args), this.heads);
  }
}

/**
 * A script and the sockets it was sent to in full (`EVAL`): they call it by SHA from then on.
 * As ioredis's own scripts do, the first `EVAL`-way call on each socket sends the source, so a
 * fresh server never answers `NOSCRIPT`: that reply and the re-send behind it would put the
 * call's reply after those of the commands sent behind it (a worker's ack behind its wait).
 * One per script name, shared by every caller.
 */
interface SentScript {
  forms: LuaForms;
  loadedOn: WeakSet<object>;
}

/** A prepared call's constant head in RESP (after the `*<count>` line), per command. */
interface PreparedHeads {
  evalsha: string;
  fcall: string;
  /** Its number of arguments (function or SHA, key count, keys). */
  length: number;
}

const sentScripts = new Map<string, SentScript>();

function sentTo(name: string, f: LuaForms): SentScript {
  let s = sentScripts.get(name);
  if (!s) sentScripts.set(name, (s = { forms: f, loadedOn: new WeakSet() }));
  return s;
}

const UTF8 = { replyEncoding: 'utf8' } as const;

/**
 * Sends one call of `s` on `client`: as `FCALL` where its library is (or is being) loaded on
 * that connection, else `EVAL` / `EVALSHA`. `argv`: SHA, key count, keys, args. An `FCALL`
 * Redis refused before running it (a flushed library, a refused load: see `refusedBeforeRun`)
 * goes again as `EVAL`, as does an `EVALSHA` answered `NOSCRIPT` (a `SCRIPT FLUSH` since).
 */
function send(
  client: RedisClient,
  s: SentScript,
  argv: (string | number)[],
  prepared?: PreparedHeads,
): Promise<unknown> {
  if (!isVersionVerified(client))
    return verifyRedisVersion(client).then(() => send(client, s, argv, prepared));
  const mode = callMode(client, s.forms);
  const keyPrefix = client.options.keyPrefix;
  // Replies as strings, as ioredis's own commands give them (a Command's default is Buffers).
  const options = keyPrefix ? { keyPrefix, replyEncoding: 'utf8' as const } : UTF8;
  // With a key prefix, ioredis prefixes the keys: the prepared head does not hold them.
  const fast = keyPrefix ? undefined : prepared;
  const cmd = new ScriptCommand(client, s, argv.slice(), options, fast, mode);
  void client.sendCommand(cmd);
  return cmd.promise.catch((err: unknown) => {
    if (cmd.name === 'fcall') {
      if (!refusedBeforeRun(client, s.forms, err)) throw err;
    } else if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
      s.loadedOn = new WeakSet(); // flushed: every socket sends the source again, once
    } else throw err;
    // Sent again with its source: it cannot meet a NOSCRIPT on the way.
    const retry = new ScriptCommand(client, s, argv.slice(), options, fast, 'source');
    void client.sendCommand(retry);
    return retry.promise;
  });
}

/**
 * A call of a script: `FCALL`; or `EVAL` with the source on a socket it was not sent to yet,
 * else `EVALSHA`. A prepared call's constant head is encoded once per script rather than on
 * every call. ioredis still sees the whole argument list (Cluster slots, re-sends on a new
 * socket).
 */
class ScriptCommand extends Command {
  constructor(
    private readonly client: RedisClient,
    private readonly script: SentScript,
    argv: (string | number)[],
    options: ConstructorParameters<typeof Command>[2],
    /** A prepared call's head, when its keys go as prepared (no key prefix). */
    private readonly heads: PreparedHeads | undefined,
    /** `source`: `EVAL` with the source whatever the socket (a re-send). */
    private readonly mode: 'fcall' | 'eval' | 'source',
  ) {
    super('evalsha', argv, options);
  }

  override toWritable(socket: object): string | Buffer {
    const s = this.script;
    const heads = this.heads;
    if (this.mode === 'fcall') {
      if (loadWrittenOn(s.forms, socket)) {
        this.name = 'fcall';
        this.args[0] = s.forms.fn;
        if (heads) return this.withHead(heads.fcall, heads.length);
        return super.toWritable(socket);
      }
      forgetLoad(this.client, s.forms); // a socket its library was not sent on: the EVAL way
      this.name = 'evalsha';
      this.args[0] = s.forms.sha;
    }
    if (this.mode === 'source' || !s.loadedOn.has(socket)) {
      s.loadedOn.add(socket);
      this.name = 'eval';
      this.args[0] = s.forms.source;
      return super.toWritable(socket);
    }
    if (this.name === 'eval' || !heads) return super.toWritable(socket);
    return this.withHead(heads.evalsha, heads.length);
  }

  private withHead(head: string, headLength: number): string {
    const args = this.args as string[];
    let out = `*${args.length + 1}\r\n${head}`;
    for (let i = headLength; i < args.length; i++) out += bulk(args[i]!);
    return out;
  }
}

/** One RESP bulk string. */
function bulk(v: string | number): string {
  const s = String(v);
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}
