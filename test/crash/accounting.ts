/**
 * Lost / duplicate accounting for crash tests. A completion is "recorded" when the `complete`
 * script applies it: it adds the id to the `completed` set and bumps the `completed` total. So
 * lost = expected ids missing from the set; duplicates = total − set size (a second applied
 * completion of any job would bump the total without growing the set).
 */
import { Redis } from 'ioredis';
import { queueKeys } from '../../src/redis/keys.js';

export interface Tally {
  expected: number;
  completed: number;
  lost: number;
  duplicates: number;
}

export async function tally(
  url: string,
  prefix: string,
  queue: string,
  ids: string[],
): Promise<Tally> {
  const redis = new Redis(url);
  try {
    const k = queueKeys(prefix, queue);
    const members = new Set(await redis.zrange(k.completed, 0, -1));
    const total = Number((await redis.hget(k.meta, 'completed')) ?? 0);
    const lost = ids.filter((id) => !members.has(id)).length;
    return {
      expected: ids.length,
      completed: members.size,
      lost,
      duplicates: total - members.size,
    };
  } finally {
    redis.disconnect();
  }
}

/** Prints the figures the issue asks each crash test to report. */
export function report(name: string, t: Tally, extra: Record<string, unknown> = {}): void {
  console.log(`[crash] ${name}: ${JSON.stringify({ ...t, ...extra })}`);
}
