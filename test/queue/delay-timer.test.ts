/** DelayTimer alone: fires once at the due time relative to Redis's clock, re-arms, stops. */
import { expect, it } from 'vitest';
import { DelayTimer } from '../../src/queue/delay-timer.js';
import { sleep } from './helpers.js';

it('fires once, after due − now (Redis clock), however far the local clock is off', async () => {
  let fired = 0;
  const timer = new DelayTimer(() => fired++);
  const redisNow = 1e12; // a Redis clock nowhere near Date.now()
  const armedAt = performance.now();
  timer.arm(redisNow, redisNow + 40);
  timer.arm(redisNow + 5, redisNow + 40); // same target: keeps the running timer
  await sleep(20);
  expect(fired).toBe(0);
  await sleep(60);
  expect(fired).toBe(1);
  expect(performance.now() - armedAt).toBeGreaterThanOrEqual(40);
});

it('moves to an earlier due time, and stops on -1 or stop()', async () => {
  let fired = 0;
  const timer = new DelayTimer(() => fired++);
  timer.arm(0, 10_000);
  timer.arm(0, 10); // earlier job arrived
  await sleep(50);
  expect(fired).toBe(1);
  timer.arm(0, 20);
  timer.arm(0, -1); // nothing delayed any more
  timer.arm(100, 130);
  timer.stop();
  await sleep(60);
  expect(fired).toBe(1);
});
