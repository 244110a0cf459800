/**
 * Redis Functions (Redis 7.0+) as the way the Lua scripts run. Each script is also a library of
 * one function: its includes at library level, its own body as the function.
 *
 * Why: `EVALSHA` runs a script's whole chunk on every call, so every helper its includes define
 * is made anew each time (a closure per `local function`). For the queue's hot scripts that is
 * most of what a call costs Redis at light load: measured at one call a millisecond on an empty
 * queue, the fetch took 70–87 µs as a script and 44–51 µs as a function (bench/README.md). A
 * library's top level runs once, at `FUNCTION LOAD`; an `FCALL` runs only the function.
 *
 * The same `.lua` files serve both ways; nothing is written twice. Where functions are not
 * there (Redis 6.2, an ACL without `FUNCTION LOAD`, `SLUICE_REDIS_FUNCTIONS=off`) the scripts
 * go as `EVAL`/`EVALSHA`, as before. A library is loaded once per connection, on the first
 * call of its script: without `REPLACE`, so a library already there (another process loaded
 * it) is a cheap refusal, and nothing is written to the AOF or replicas again.
 */
import { createHash } from 'node:crypto';
import { Command, type Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './connection.js';
import { compareVersions, serverVersion } from './version.js';

/** The first Redis with `FUNCTION LOAD` and `FCALL`. */
const FUNCTIONS_SINCE = '7.0.0';

/** One script, in both forms: a chunk for `EVAL` and a library for `FUNCTION LOAD`. */
export interface LuaForms {
  /** The script with its includes expanded, for `EVAL` / `EVALSHA`. */
  source: string;
  /** Its SHA-1, for `EVALSHA`. */
  sha: string;
  /** The function's name, also its library's: `sluice_<script>_<hash of the library>`. */
  fn: string;
  /** The library's code, for `FUNCTION LOAD`. */
  library: string;
}

/**
 * Builds both forms of script `name` from its includes (expanded, in order) and its own body.
 * The hash in the function's name changes with the code, so two versions of Sluice on one Redis
 * (a rolling deploy) each call their own.
 */
export function luaForms(name: string, includes: string, body: string): LuaForms {
  const source = includes + body;
  const sha = createHash('sha1').update(source).digest('hex');
  const code = `${includes}\nredis.register_function('@FN@', function(KEYS, ARGV)\n${body}\nend)\n`;
  const fn = `sluice_${name}_${createHash('sha1').update(code).digest('hex').slice(0, 12)}`;
  return { source, sha, fn, library: `#!lua name=${fn}\n${code.replace('@FN@', fn)}` };
}

/**
 * What a connection knows of a library: `true`, loaded; a {@link Sent}, its load sent and not
 * answered yet (on one connection the calls go as `FCALL` behind it); `false`, refused (calls
 * go by `EVAL` for the connection's life); a number, a load that failed for a passing reason or
 * a function refused for a while (`EVAL` until that time, ms, then load again); a promise, a
 * Cluster's load in flight (`EVAL` meanwhile: nothing waits for it).
 */
type LoadState = boolean | number | Sent | Promise<void>;

/** A load in flight on one connection (a new object each time: its identity is the load's). */
interface Sent {
  readonly sent: true;
}

/** After a load failed for a passing reason, or Redis refused a function for its state: ms. */
const RETRY_LOAD_MS = 1000;

const states = new WeakMap<RedisClient, Map<string, LoadState>>();

/** The sockets each library's `FUNCTION LOAD` was written on (see {@link loadWrittenOn}). */
const loadSockets = new Map<string, WeakSet<object>>();

/** True when scripts on `client` may go as functions (checked after the version check). */
function functionsAllowed(client: RedisClient): boolean {
  if (/^(off|0|false|no)$/i.test(process.env.SLUICE_REDIS_FUNCTIONS ?? '')) return false;
  const version = serverVersion(client);
  // A server that hid its version may still have them: a refused load falls back.
  return version === undefined || compareVersions(version, FUNCTIONS_SINCE) >= 0;
}

function statesOf(client: RedisClient): Map<string, LoadState> {
  let map = states.get(client);
  if (!map) states.set(client, (map = new Map()));
  return map;
}

/**
 * How the next call of `forms` on `client` goes. On one connection the first call sends the
 * library's `FUNCTION LOAD` just ahead of itself, so it can go as `FCALL` at once; on a Cluster
 * the load goes to every primary and the calls go by `EVAL` until it is done.
 */
export function callMode(client: RedisClient, forms: LuaForms): 'fcall' | 'eval' {
  const map = statesOf(client);
  const state = map.get(forms.fn);
  if (state === true) return 'fcall';
  if (state === false || state instanceof Promise) return 'eval';
  if (typeof state === 'object') return 'fcall'; // a load sent ahead on this connection
  if (typeof state === 'number' && Date.now() < state) return 'eval';
  if (!functionsAllowed(client)) {
    map.set(forms.fn, false);
    return 'eval';
  }
  const loading = load(client, forms);
  const marker: LoadState = client.isCluster ? loading.then(() => undefined) : { sent: true };
  map.set(forms.fn, marker);
  void loading.then((outcome) => {
    if (map.get(forms.fn) !== marker) return; // changed since (a refusal, a new load)
    if (outcome === 'loaded') map.set(forms.fn, true);
    else if (outcome === 'refused') map.set(forms.fn, false);
    else map.set(forms.fn, Date.now() + RETRY_LOAD_MS);
  });
  return client.isCluster ? 'eval' : 'fcall';
}

/**
 * True when the library of `forms` was sent for loading on `socket`: an `FCALL` goes only there.
 * On any other socket (a reconnect, a fail-over to a new primary, a Cluster redirect) the call
 * goes by `EVAL`, with its source, so it never meets a server without the function (whose
 * refusal and re-send would land the call's reply behind the commands sent after it), and the
 * next call loads the library there: see {@link forgetLoad}.
 */
export function loadWrittenOn(forms: LuaForms, socket: object): boolean {
  return loadSockets.get(forms.fn)?.has(socket) === true;
}

/** The library of `forms` is to be loaded again on `client`'s next call of it. */
export function forgetLoad(client: RedisClient, forms: LuaForms): void {
  const map = states.get(client);
  if (map?.get(forms.fn) === true) map.delete(forms.fn);
}

/**
 * After an `FCALL` of `forms` failed with `err`: true when Redis refused it before running any
 * of it, so sending it again as `EVAL` cannot run it twice. That is: no such function (its
 * library flushed since, or its load refused), `FCALL` unknown to the server or not allowed to
 * this user, or a refusal Redis makes of a function up front but of an `EVAL` only at its first
 * write (out of memory, a failed save, too few replicas: as `EVAL`, a read-only script still
 * runs, and one that first frees memory gets on). An error raised while the function ran (its
 * message ends in ` script: …`) is never retried.
 */
export function refusedBeforeRun(client: RedisClient, forms: LuaForms, err: unknown): boolean {
  if (!(err instanceof Error) || err.name !== 'ReplyError') return false;
  const m = err.message;
  const map = statesOf(client);
  if (m.startsWith('ERR Function not found')) {
    // Loaded before, gone since (a flush, a restart): load again on the next call. A load still
    // in flight decides for itself (refused, or tried again a moment later).
    forgetLoad(client, forms);
    return true;
  }
  if (/^ERR unknown command/.test(m) || (m.startsWith('NOPERM') && m.includes("'fcall'"))) {
    map.set(forms.fn, false);
    return true;
  }
  if (/^(OOM|MISCONF|NOREPLICAS) /.test(m) && !m.includes(' script: ')) {
    if (map.get(forms.fn) === true) map.set(forms.fn, Date.now() + RETRY_LOAD_MS);
    return true;
  }
  return false;
}

type LoadOutcome = 'loaded' | 'refused' | 'transient';

/**
 * Sends `FUNCTION LOAD` (to every primary of a Cluster). `refused` (an ACL without `FUNCTION
 * LOAD`, a server or proxy without it) is kept for the connection; anything else that fails
 * is tried again a moment later.
 */
async function load(client: RedisClient, forms: LuaForms): Promise<LoadOutcome> {
  const nodes: Redis[] = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  if (nodes.length === 0) return 'transient'; // a Cluster that has not found its nodes yet
  const outcomes = await Promise.all(nodes.map((node) => loadOn(node, forms)));
  if (outcomes.includes('refused')) return 'refused';
  return outcomes.includes('transient') ? 'transient' : 'loaded';
}

function loadOn(node: Redis, forms: LuaForms): Promise<LoadOutcome> {
  const cmd = new LoadCommand(forms);
  void node.sendCommand(cmd);
  return cmd.promise.then(
    () => 'loaded',
    (err: unknown) => {
      const m = err instanceof Error ? err.message : '';
      // Loaded before (by this process or another): the same name is the same code.
      if (m.includes('already exists')) return 'loaded';
      if (/^(NOPERM|ERR unknown (command|subcommand))/.test(m)) return 'refused';
      return 'transient';
    },
  );
}

/** `FUNCTION LOAD` of one library, noting each socket it is written on. */
class LoadCommand extends Command {
  constructor(private readonly forms: LuaForms) {
    super('function', ['LOAD', forms.library], { replyEncoding: 'utf8' });
  }

  override toWritable(socket: object): string | Buffer {
    let sockets = loadSockets.get(this.forms.fn);
    if (!sockets) loadSockets.set(this.forms.fn, (sockets = new WeakSet()));
    sockets.add(socket);
    return super.toWritable(socket);
  }
}
