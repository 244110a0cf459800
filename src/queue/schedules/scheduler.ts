/**
 * Scheduler: keeps each schedule of one queue moving from its pending tick to the next. The
 * pending tick's job is already in `delayed`, so workers run it on time through the delayed-job
 * path; the scheduler only has to add the next tick's job after the pending one falls due. It
 * arms one timer for the earliest pending tick, hears of schedules changed elsewhere on a
 * Pub/Sub channel (`refreshMs` is only a safety net), and advances by a compare-and-set script,
 * so any number of schedulers, with any clocks, add one job per tick.
 *
 * Workers run one by default (`schedules: false` turns it off); `new Scheduler(queue)` runs one
 * alone.
 */
import { CommandConnection, checkHandleOptions } from '../../redis/command-connection.js';
import { RedisClock, timeSampler } from '../../redis/clock.js';
import { openConnection, subscribeWhenReady, type RedisClient } from '../../redis/connection.js';
import { DEFAULT_PREFIX, queueKeys } from '../../redis/keys.js';
import {
  MAX_INTERVAL_MS,
  functionProblem,
  intProblem,
  knownKeys,
  validateName,
} from '../../validate.js';
import type { QueueBaseOptions } from '../queue.js';
import { ScheduleCommands, type ScheduleRow } from './schedule-commands.js';
import { nextTick } from './schedule-spec.js';

const SCHEDULER_KEYS = knownKeys([
  'connection',
  'prefix',
  'connectionRetry',
  'refreshMs',
  'missedAfterMs',
  'onError',
  'nowOffsetMs',
]);

/** Options of a {@link Scheduler}. */
export interface SchedulerOptions extends QueueBaseOptions {
  /** Longest wait between two looks at the schedules (a safety net for a missed announcement); default 30 s. */
  refreshMs?: number;
  /**
   * How late a tick may be and still get its job (a scheduler that lagged adds each late tick in
   * turn); ticks later than this count as missed and follow the schedule's `catchUp`. Default 5 s.
   */
  missedAfterMs?: number;
  /** Called with errors of the background loop (default: ignored; the loop goes on). */
  onError?: (err: unknown) => void;
  /**
   * TEST ONLY: pretend this process's clock is off by this many ms, to show that skewed
   * schedulers still add one job per tick. Never set it in production.
   */
  nowOffsetMs?: number;
}

/**
 * Advances the schedules of one queue (see the file notes).
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler('reports', { connection: 'redis://localhost:6379' });
 * await scheduler.start();
 * // ... later
 * await scheduler.close();
 * ```
 */
export class Scheduler {
  private readonly conn: CommandConnection;
  private readonly sub: RedisClient;
  private readonly cmds: ScheduleCommands;
  private readonly clock: RedisClock;
  private readonly refreshMs: number;
  private readonly offsetMs: number;
  private readonly graceMs: number;
  private readonly onError: (err: unknown) => void;
  /** Learnt from script replies: Redis's clock minus ours (cancels a skew after one call). */
  private correction = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private ticks = 0;

  constructor(queue: string, options: SchedulerOptions = {}) {
    const { retry } = checkHandleOptions(options, 'Scheduler options', SCHEDULER_KEYS, (o) => [
      intProblem('refreshMs', o.refreshMs, 1, MAX_INTERVAL_MS),
      intProblem('missedAfterMs', o.missedAfterMs, 0, MAX_INTERVAL_MS),
      functionProblem('onError', o.onError),
      intProblem('nowOffsetMs', o.nowOffsetMs, -MAX_INTERVAL_MS, MAX_INTERVAL_MS),
    ]);
    const name = validateName('queue', queue);
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    this.refreshMs = options.refreshMs ?? 30_000; // at most 24 h (checked): one timer holds it
    this.offsetMs = options.nowOffsetMs ?? 0;
    this.graceMs = options.missedAfterMs ?? 5000;
    this.onError = options.onError ?? (() => {});
    this.conn = new CommandConnection(
      options.connection,
      undefined,
      retry,
      `scheduler ${name}`,
      this.onError,
    );
    this.sub = openConnection(options.connection, this.onError);
    this.cmds = new ScheduleCommands(this.conn, queueKeys(prefix, name), prefix, name);
    this.clock = new RedisClock(timeSampler(this.conn));
  }

  /** Subscribes to schedule changes and advances whatever is due; resolves after the first look. */
  async start(): Promise<void> {
    this.sub.on('message', () => this.poke());
    await subscribeWhenReady(this.sub, this.cmds.channel);
    this.poke();
    await this.running;
  }

  /** Stops the timer and closes both connections. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => {});
    this.sub.disconnect();
    await this.conn.close();
  }

  /** Ticks this scheduler advanced (the others' compare-and-set lost to it). */
  get advanced(): number {
    return this.ticks;
  }

  /** Looks at the schedules now (or once more after the look under way). */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.sweep()
      .catch((err: unknown) => {
        this.onError(err);
        this.arm(1000);
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  private async now(): Promise<number> {
    return (await this.clock.now()) + this.offsetMs + this.correction;
  }

  private learn(redisNow: number, ours: number): void {
    this.correction += redisNow - ours;
  }

  /** Advances every due schedule, then arms the timer for the earliest pending tick. */
  private async sweep(): Promise<void> {
    const { rows, later } = await this.cmds.due(await this.now());
    const now = await this.now();
    let wait = later === undefined ? this.refreshMs : later - now;
    for (const row of rows) {
      const w = await this.advance(row);
      if (w !== undefined) wait = Math.min(wait, w);
    }
    this.arm(wait);
  }

  /** Advances one schedule; returns how long until its new pending tick falls due (ms). */
  private async advance(row: ScheduleRow): Promise<number | undefined> {
    const after = nextTick(row.spec, row.next);
    if (!Number.isFinite(after)) return undefined; // a cron that never fires again
    let ref = await this.now();
    for (let attempt = 0; attempt < 3 && !this.stopped; attempt++) {
      const r = await this.cmds.advance(row, after, ref, nextTick(row.spec, ref), this.graceMs);
      const ours = await this.now();
      this.learn(r.now, ours);
      if (r.kind === 'advanced' || r.kind === 'caughtUp') {
        this.ticks++;
        return r.tick! - r.now;
      }
      if (r.kind === 'lost') {
        this.again = true; // look again to learn the pending tick someone else set
        return undefined;
      }
      if (r.kind === 'early') return row.next - r.now;
      ref = r.now;
    }
    return undefined;
  }

  private arm(waitMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const wait = Math.min(Math.max(0, waitMs) + 1, this.refreshMs);
    this.timer = setTimeout(() => this.poke(), wait);
    this.timer.unref();
  }
}
