/**
 * The per-minute and per-hour counters keep their windows (61 minutes, 169 hours): the field
 * that falls out is deleted when the counter of a new minute or hour begins, so the hash stays
 * bounded without a delete on every call.
 */
import { expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

const h = useHarness();

it("drops the minute and hour that fell out of the window when a new minute's counter begins", async () => {
  const q = h().queue('win');
  const key = h().keys('win').metrics;
  // not across a minute's end (the window would move under the test)
  let now = await h().now();
  if (60_000 - (now % 60_000) < 5000) {
    await sleep(60_000 - (now % 60_000) + 100);
    now = await h().now();
  }
  const minute = Math.floor(now / 60_000);
  const hour = Math.floor(now / 3_600_000);
  // left over from an hour ago and a week ago: just outside the windows
  await h().redis.hset(
    key,
    `c:${minute - 61}`,
    '5',
    `ch:${hour - 169}`,
    '7',
    `c:${minute - 60}`,
    '3',
  );
  let done = 0;
  h().worker('win', () => void done++);
  await q.add('x', null);
  await waitFor(
    async () => done === 1 && (await h().redis.hget(key, `c:${minute}`)) === '1',
    'counted',
  );
  const fields = await h().redis.hgetall(key);
  expect(fields[`c:${minute - 61}`]).toBeUndefined();
  expect(fields[`ch:${hour - 169}`]).toBeUndefined();
  // inside the window: kept; this minute's and hour's counters: begun
  expect(fields[`c:${minute - 60}`]).toBe('3');
  expect(fields[`c:${minute}`]).toBe('1');
  expect(fields[`ch:${hour}`]).toBe('1');
}, 20_000);
