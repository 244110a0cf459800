/**
 * One typed wrapper per schedule script (`schedule_set`, `schedule_advance`, `schedule_remove`)
 * and the plain reads of the schedule keys. Shared by the Queue (upsert, list, remove) and the
 * Scheduler component (advance).
 */
import type { CommandConnection } from '../../redis/command-connection.js';
import { SCHEMA_VERSION, scheduleChannel, type QueueKeys } from '../../redis/keys.js';
import type { StoredSchedule } from './schedule-spec.js';

/** A stored schedule with its revision and pending tick. */
export interface ScheduleRow {
  key: string;
  rev: string;
  spec: StoredSchedule;
  /** The pending tick (ms, Redis clock); its job is `sched:<key>:<tick>`. */
  next: number;
}

/** Reply of `advance`: see `src/lua/queue/schedules/schedule_advance.lua`. */
export interface AdvanceReply {
  /**
   * advanced: on time; caughtUp: ticks were missed (catch-up applied); lost: someone else
   * advanced (or the schedule changed); early: not due by Redis's clock; recompute: the
   * caller's `ref` was off, compute again from `now`.
   */
  kind: 'advanced' | 'caughtUp' | 'lost' | 'early' | 'recompute';
  /** Redis's clock at the call (ms). */
  now: number;
  /** The new pending tick (advanced, caughtUp). */
  tick?: number;
}

const KINDS = {
  1: 'advanced',
  2: 'caughtUp',
  0: 'lost',
  [-1]: 'early',
  [-2]: 'recompute',
} as const;

/** The job id of a schedule's tick: deterministic, so adding it twice adds one job. */
export function tickJobId(name: string, tick: number): string {
  return `sched:${name}:${tick}`;
}

export class ScheduleCommands {
  readonly channel: string;

  constructor(
    private readonly conn: CommandConnection,
    private readonly keys: QueueKeys,
    prefix: string,
    queue: string,
  ) {
    this.channel = scheduleChannel(prefix, queue);
  }

  /** Upsert; returns whether it changed anything and the pending tick. */
  async set(
    name: string,
    spec: StoredSchedule,
    firstTick: number,
  ): Promise<{ changed: boolean; next: number }> {
    const k = this.keys;
    const reply = (await this.conn.script(
      'schedule_set',
      [k.meta, k.delayed, k.jobs, k.marker, k.events, k.sched, k.schednext],
      [SCHEMA_VERSION, name, JSON.stringify(spec), String(firstTick), this.channel],
    )) as [number, string];
    return { changed: reply[0] === 1, next: Number(reply[1]) };
  }

  async remove(name: string): Promise<boolean> {
    const k = this.keys;
    const r = await this.conn.script(
      'schedule_remove',
      [k.delayed, k.jobs, k.sched, k.schednext],
      [name],
    );
    return r === 1;
  }

  async advance(
    row: ScheduleRow,
    after: number,
    ref: number,
    refNext: number,
    graceMs: number,
  ): Promise<AdvanceReply> {
    const k = this.keys;
    const reply = (await this.conn.script(
      'schedule_advance',
      [
        k.meta,
        k.delayed,
        k.jobs,
        k.marker,
        k.events,
        k.sched,
        k.schednext,
        k.active,
        k.completed,
        k.failed,
      ],
      [row.key, row.rev, String(row.next), String(after), String(ref), String(refNext), graceMs],
    )) as [number, number, string];
    const kind = KINDS[reply[0] as keyof typeof KINDS] ?? 'lost';
    const out: AdvanceReply = { kind, now: Number(reply[1]) };
    if (reply[2] !== '') out.tick = Number(reply[2]);
    return out;
  }

  /** Every schedule, by name. */
  async list(): Promise<ScheduleRow[]> {
    const k = this.keys;
    const [specs, ticks] = await this.conn.run(
      (c) => Promise.all([c.hgetall(k.sched), c.zrange(k.schednext, 0, -1, 'WITHSCORES')]),
      'HGETALL',
    );
    return rows(specs, ticks);
  }

  /**
   * The schedules whose pending tick is at or before `until` (ms), and the earliest pending
   * tick after it (or undefined).
   */
  async due(until: number): Promise<{ rows: ScheduleRow[]; later: number | undefined }> {
    const k = this.keys;
    const [ticks, later] = await this.conn.run(
      (c) =>
        Promise.all([
          c.zrangebyscore(k.schednext, '-inf', until, 'WITHSCORES', 'LIMIT', 0, 1000),
          c.zrangebyscore(k.schednext, `(${until}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
        ]),
      'ZRANGEBYSCORE',
    );
    const names = ticks.filter((_, i) => i % 2 === 0);
    const specs: Record<string, string> = {};
    if (names.length) {
      const raw = await this.conn.run((c) => c.hmget(k.sched, ...names), 'HMGET');
      names.forEach((n, i) => {
        if (raw[i] != null) specs[n] = raw[i];
      });
    }
    return {
      rows: rows(specs, ticks),
      later: later[1] === undefined ? undefined : Number(later[1]),
    };
  }
}

function rows(specs: Record<string, string>, ticks: string[]): ScheduleRow[] {
  const out: ScheduleRow[] = [];
  for (let i = 0; i < ticks.length; i += 2) {
    const key = ticks[i]!;
    const raw = specs[key];
    if (raw === undefined) continue;
    const bar = raw.indexOf('|');
    out.push({
      key,
      rev: raw.slice(0, bar),
      spec: JSON.parse(raw.slice(bar + 1)) as StoredSchedule,
      next: Number(ticks[i + 1]),
    });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
