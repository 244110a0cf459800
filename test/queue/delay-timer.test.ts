/** DelayTimer alone: fires once at the due time relative to Redis's clock, re-arms, stops. */
import { expect, it, vi } from 'vitest';
import { DelayTimer } from '../../src/queue/worker/fetching/delay-timer.js';
import { MAX_TIMER_MS } from '../../src/timeout.js';
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

/** Runs `body` with the waits handed to setTimeout recorded (the timers still run for real). */
async function watchedTimers(body: (waits: (number | undefined)[]) => Promise<void>) {
  const waits: (number | undefined)[] = [];
  const real = globalThis.setTimeout;
  const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
    fn: () => void,
    ms?: number,
  ) => {
    waits.push(ms);
    return real(fn, ms);
  }) as typeof setTimeout);
  try {
    await body(waits);
  } finally {
    spy.mockRestore();
  }
}

it('waits at most the longest Node timer for a due time beyond it (no 1 ms re-fire loop)', async () => {
  let fired = 0;
  const timer = new DelayTimer(() => fired++);
  await watchedTimers(async (waits) => {
    try {
      const year = 365 * 24 * 3_600_000;
      timer.arm(1e12, 1e12 + year);
      timer.arm(1e12, Number.NaN); // a score Redis printed as `inf`
      timer.arm(1e12, 1e300);
      await sleep(30);
      expect(fired).toBe(0);
      expect(waits.filter((w) => w !== undefined && w > 1000)).toEqual([
        MAX_TIMER_MS,
        MAX_TIMER_MS,
        MAX_TIMER_MS,
      ]);
    } finally {
      timer.stop();
    }
  });
});

/** Runs `body` with setTimeout watched: the waits asked for, and the callbacks (held, not run). */
function heldTimers(body: (waits: (number | undefined)[], fns: (() => void)[]) => void): void {
  const waits: (number | undefined)[] = [];
  const fns: (() => void)[] = [];
  const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
    fn: () => void,
    ms?: number,
  ) => {
    waits.push(ms);
    fns.push(fn);
    return { ref() {}, unref() {}, hasRef: () => false } as unknown as NodeJS.Timeout;
  }) as typeof setTimeout);
  const clear = vi.spyOn(globalThis, 'clearTimeout').mockImplementation(() => {});
  try {
    body(waits, fns);
  } finally {
    spy.mockRestore();
    clear.mockRestore();
  }
}

/** A whole-ms wait just short of `ms` (the time spent arming may take it under a whole ms). */
const justBefore = (ms: number) => (w: number | undefined) =>
  w !== undefined && w <= ms && w >= Math.floor(ms) - 1;

it('aims at the due time itself, from Redis µs (no extra ms)', () => {
  heldTimers((waits) => {
    const timer = new DelayTimer(() => {});
    timer.arm(1000, 1010); // due in 10 ms
    timer.arm(2000.75, 2010); // a new target: due in 9.25 ms
    // a whole-ms timer at or just before the due time (the code before rounded up: 10, 10)
    expect(justBefore(10)(waits[0])).toBe(true);
    expect(justBefore(9.25)(waits[1])).toBe(true);
    expect(waits).toHaveLength(2);
  });
});

it('the last stretch under a ms is checked on each turn, then it fetches once', async () => {
  let fired = 0;
  let firedAt = 0;
  const timer = new DelayTimer(() => (fired++, (firedAt = performance.now())));
  const armedAt = performance.now();
  await watchedTimers(async (waits) => {
    timer.arm(0, 3.6); // due in 3.6 ms: a 3 ms timer, then the rest turn by turn
    await sleep(30);
    expect(waits[0]).toBe(3);
  });
  expect(fired).toBe(1);
  expect(firedAt - armedAt).toBeGreaterThanOrEqual(3.6); // never before the due time
});

it('a timer that fires before the due time waits the rest out, and fetches once', () => {
  heldTimers((waits, fns) => {
    let fired = 0;
    const timer = new DelayTimer(() => fired++);
    timer.arm(0, 50);
    fns[0]!(); // Node ran it early (here: at once)
    expect(fired).toBe(0);
    expect(waits.length).toBe(2); // re-armed for what is left
    expect(waits[1]).toBeGreaterThan(40);
  });
});

it('an idle worker armed for a later job re-arms for an earlier one', () => {
  heldTimers((waits) => {
    const timer = new DelayTimer(() => {});
    timer.arm(0, 60_000); // idle, the only delayed job a minute away
    timer.arm(5, 25); // a newer, earlier job (learned from the fetch its marker triggered)
    expect(justBefore(60_000)(waits[0])).toBe(true);
    expect(justBefore(20)(waits[1])).toBe(true);
    expect(waits).toHaveLength(2);
  });
});

it('reckons from the fastest recent reply: a reply read late does not push the timer later', async () => {
  const timer = new DelayTimer(() => {});
  await watchedTimers(async (waits) => {
    try {
      timer.arm(1000, 60_000); // a reply that came straight back: Redis at 1000 now
      await sleep(30);
      // A reply that read Redis's clock at the same 1000 but reaches the timer 30 ms later (the
      // way back, a pause of this process): the due time is still 100 ms after that 1000.
      timer.arm(1000, 1100);
      const wait = waits.at(-1)!;
      expect(wait).toBeLessThanOrEqual(71);
      expect(wait).toBeGreaterThanOrEqual(60);
    } finally {
      timer.stop();
    }
  });
});

it('a fire that the next reply shows was early drops the kept bound: one more fetch, no loop', async () => {
  let fired = 0;
  const timer = new DelayTimer(() => fired++);
  await watchedTimers(async (waits) => {
    try {
      timer.arm(0, 10);
      await sleep(40);
      expect(fired).toBe(1);
      // The fetch it made ran at Redis time 5: before the due time (Redis's clock went back).
      // Reckoned from the kept bound the job would be overdue (a fire at once, again and again);
      // from this reply it is 5 ms away.
      timer.arm(5, 10);
      expect(waits.at(-1)).toBeGreaterThanOrEqual(4);
      await sleep(40);
      expect(fired).toBe(2);
    } finally {
      timer.stop();
    }
  });
});

it('a due time already past fires on the next turn, never inside arm() (the caller is mid-reply)', async () => {
  // The fetch loop arms from inside a reply and then settles what that reply means (idle or
  // not): a fire within arm() would ask for a fetch that the rest of the reply then overrides,
  // and the worker would wait for the safety net instead.
  let fired = 0;
  const timer = new DelayTimer(() => fired++);
  timer.arm(1000, 990);
  expect(fired).toBe(0);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  expect(fired).toBe(1);
});

it('under a ms left, it does not wait for a whole-ms Node timer', async () => {
  await watchedTimers(async (waits) => {
    let fired = 0;
    const timer = new DelayTimer(() => fired++);
    timer.arm(1000, 1000.5);
    await sleep(5);
    expect(fired).toBe(1);
    // no setTimeout of 0 (a whole ms in Node) was asked for the last stretch
    expect(waits.filter((w) => w === 0 || w === 1)).toEqual([]);
  });
});
