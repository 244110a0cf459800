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
import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './connection.js';
import { isTransient } from './redis-errors.js';
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
 * What a connection knows of a library: loaded (true), refused (false: call by `EVAL`), or a
 * load in flight (its outcome).
 */
type LoadState = boolean | Promise<boolean>;

const states = new WeakMap<RedisClient, Map<string, LoadState>>();

/** True when scripts on `client` may go as functions (checked after the version check). */
function functionsAllowed(client: RedisClient): boolean {
  if (/^(off|0|false|no)$/i.test(process.env.SLUICE_REDIS_FUNCTIONS ?? '')) return false;
  const version = serverVersion(client);
  // A server that hid its version may still have them: a refused load falls back.
  return version === undefined || compareVersions(version, FUNCTIONS_SINCE) >= 0;
}

/**
 * How the next call of `forms` on `client` goes: `fcall` (the library is there, or its load
 * was just sent ahead of this call on the same connection), `eval`, or a promise of one of the
 * two (a Cluster, where the load goes to every master first and is awaited).
 */
export function callMode(
  client: RedisClient,
  forms: LuaForms,
): 'fcall' | 'eval' | Promise<'fcall' | 'eval'> {
  let map = states.get(client);
  if (!map) states.set(client, (map = new Map()));
  let state = map.get(forms.fn);
  if (state === undefined) {
    if (!functionsAllowed(client)) state = false;
    else {
      state = load(client, forms).then((outcome) => {
        // Redis loading or failing over: this call goes by `EVAL`; the next one loads again.
        if (outcome === 'transient') map.delete(forms.fn);
        else map.set(forms.fn, outcome === 'loaded');
        return outcome === 'loaded';
      });
      map.set(forms.fn, state);
    }
  }
  if (typeof state === 'boolean') return state ? 'fcall' : 'eval';
  // One connection: the load was sent first, so it runs first; the call need not wait for it.
  if (!client.isCluster) return 'fcall';
  return state.then((ok) => (ok ? 'fcall' : 'eval'));
}

/**
 * After an `FCALL` of `forms` failed with `err`: true when the call should go again as `EVAL`
 * (the load was refused, or the library is gone: `FUNCTION FLUSH`, a restarted Redis without
 * persistence). A gone library is loaded again on the next call.
 */
export async function shouldRetryAsEval(
  client: RedisClient,
  forms: LuaForms,
  err: unknown,
): Promise<boolean> {
  const map = states.get(client);
  const state = await map?.get(forms.fn);
  if (state === false) return true;
  if (err instanceof Error && err.message.startsWith('ERR Function not found')) {
    map?.delete(forms.fn);
    return true;
  }
  return false;
}

type LoadOutcome = 'loaded' | 'refused' | 'transient';

/**
 * Sends `FUNCTION LOAD` (to every master of a Cluster). `refused` (an ACL without `FUNCTION
 * LOAD`, a proxy without it) is kept for the connection: its calls go by `EVAL` from then on.
 */
async function load(client: RedisClient, forms: LuaForms): Promise<LoadOutcome> {
  const nodes: Redis[] = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  if (nodes.length === 0) return 'transient'; // a Cluster that has not found its nodes yet
  const outcomes = await Promise.all(nodes.map((node) => loadOn(node, forms.library)));
  return outcomes.find((o) => o !== 'loaded') ?? 'loaded';
}

function loadOn(node: Redis, library: string): Promise<LoadOutcome> {
  return node.call('FUNCTION', 'LOAD', library).then(
    () => 'loaded',
    (err: unknown) => {
      // Loaded before (by this process or another): the same name is the same code.
      if (err instanceof Error && /already exists/.test(err.message)) return 'loaded';
      return isTransient(err) ? 'transient' : 'refused';
    },
  );
}
