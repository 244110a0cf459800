/**
 * Redis's own time per script call, for the performance tests: they count the work a script
 * does inside Redis (SLOWLOG records each command's execution time in µs, measured by Redis
 * around the command alone), never the wall-clock time a client waits. Use it on a server of
 * the test's own: it changes the server's SLOWLOG settings.
 */
import type { Redis } from 'ioredis';

/**
 * Runs `action` with SLOWLOG recording every command and returns the execution time (µs) of
 * each script call (FCALL / EVALSHA / EVAL) it made, in call order.
 */
export async function scriptTimesUs(
  redis: Redis,
  action: () => Promise<unknown>,
): Promise<number[]> {
  await redis.config('SET', 'slowlog-max-len', '10000');
  await redis.config('SET', 'slowlog-log-slower-than', '0');
  await redis.slowlog('RESET');
  try {
    await action();
  } finally {
    await redis.config('SET', 'slowlog-log-slower-than', '10000');
  }
  const entries = (await redis.slowlog('GET', -1)) as [number, number, number, string[]][];
  return entries
    .filter((e) => /^(eval(sha)?|fcall)$/i.test(e[3][0] ?? ''))
    .map((e) => e[2])
    .reverse();
}

/**
 * The least Redis time (µs) of `times` script calls made by `call`: the least is the work
 * itself, free of a scheduler that may pause redis-server on a busy machine.
 */
export async function leastScriptTimeUs(
  redis: Redis,
  times: number,
  call: (i: number) => Promise<unknown>,
): Promise<number> {
  const us: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = await scriptTimesUs(redis, () => call(i));
    if (t.length === 0) throw new Error('the call ran no script');
    us.push(t.reduce((a, b) => a + b, 0));
  }
  return Math.min(...us);
}
