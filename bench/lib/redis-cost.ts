/**
 * Redis-side cost of a piece of work, for the scaling bench: `INFO commandstats` (calls and
 * `usec_per_call` per command) and SLOWLOG with every command recorded, its FCALL and EVALSHA
 * entries mapped back to the Sluice script that ran (its function's name, or the SHA-1 of its
 * source, as the library's loader, `src/redis/scripts.ts`, makes them).
 */
import type { Redis } from 'ioredis';
import { scriptNames as libraryScripts, scriptForms } from '../../src/redis/scripts.js';

/** Function name and SHA-1 → script name, for every script of the library. */
export function scriptNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const name of libraryScripts()) {
    const f = scriptForms(name);
    names.set(f.sha, name).set(f.fn, name).set(f.source, name); // EVAL sends the source
  }
  return names;
}

/** Commands that run a script. */
export const SCRIPT_CALL = /^(evalsha|eval|fcall)$/;

export interface CallCost {
  calls: number;
  /** Mean Redis µs per call (SLOWLOG duration: the script and every command it ran). */
  usPerCall: number;
  maxUs: number;
}

export interface Cost {
  /** Per script (`script <name>`) or plain command, from SLOWLOG. */
  byCall: Map<string, CallCost>;
  /** `INFO commandstats`: calls and usec_per_call per command, over the same window. */
  stats: Map<string, { calls: number; usecPerCall: number }>;
}

const ADMIN = /^(config|info|slowlog|client|select|script|function|memory|ping|hello|quit)$/;

/** Runs `work` with SLOWLOG recording everything and statistics reset; returns what it cost. */
export async function measureCost(
  redis: Redis,
  names: Map<string, string>,
  work: () => Promise<void>,
): Promise<Cost> {
  await redis.config('SET', 'slowlog-log-slower-than', '0');
  await redis.config('SET', 'slowlog-max-len', '200000');
  await redis.slowlog('RESET');
  await redis.config('RESETSTAT');
  await work();
  const text = await redis.info('commandstats');
  const entries = (await redis.slowlog('GET', -1)) as [number, number, number, string[]][];
  await redis.config('SET', 'slowlog-log-slower-than', '10000');
  const byCall = new Map<string, CallCost>();
  for (const [, , us, args] of entries) {
    const cmd = String(args[0]).toLowerCase();
    if (ADMIN.test(cmd)) continue;
    const key = SCRIPT_CALL.test(cmd) ? `script ${names.get(String(args[1])) ?? args[1]}` : cmd;
    const c = byCall.get(key) ?? { calls: 0, usPerCall: 0, maxUs: 0 };
    c.usPerCall = (c.usPerCall * c.calls + us) / (c.calls + 1);
    c.calls++;
    c.maxUs = Math.max(c.maxUs, us);
    byCall.set(key, c);
  }
  const stats = new Map<string, { calls: number; usecPerCall: number }>();
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=\d+,usec_per_call=([\d.]+)/gm))
    if (!ADMIN.test(m[1]!)) stats.set(m[1]!, { calls: Number(m[2]), usecPerCall: Number(m[3]) });
  return { byCall, stats };
}

/** Commands Redis ran inside scripts, per call of `perCalls` (the "count of work"). */
export function innerCommandsPerCall(cost: Cost, perCalls: number): string {
  const inner = [...cost.stats]
    .filter(([cmd]) => !/^(evalsha|eval|fcall|function\|.*|config\|.*|client\|.*)$/.test(cmd))
    .filter(([, s]) => s.calls / perCalls >= 0.05)
    .map(([cmd, s]) => `${cmd} ${(s.calls / perCalls).toFixed(s.calls < perCalls ? 2 : 0)}`);
  return inner.join(', ') || '—';
}

export async function usedMemory(redis: Redis): Promise<number> {
  const m = /used_memory:(\d+)/.exec(await redis.info('memory'));
  return Number(m?.[1]);
}

/** Every key of the (bench's own) server. */
export async function allKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}
