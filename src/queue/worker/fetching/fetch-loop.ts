/**
 * The fetch loop of a Worker: sends the acks of finished jobs and asks for jobs for the free
 * slots, one script call each time (`complete` acks and fetches; `fetch` only fetches).
 *
 * - **Two or three calls in flight** (`callsFor`): while Redis runs one, the jobs another brought
 *   run here, so neither side waits for the other. A call asks for at most its share of the
 *   slots; `requested` counts the slots asked for by calls (and a wait) still in flight.
 * - **The wake-up carries its jobs**: with nothing left to fetch, the loop blocks on the queue's
 *   `marker` (see {@link WakeListener}) with the free slots no call asked for, and the fetch
 *   sent behind the `BLPOP` takes them when work arrives: one round trip, not three.
 *
 * Jobs beyond `concurrency` are fetched only while handlers are short (worker/prefetch.ts): a held
 * job starts within a few ms. See docs/guarantees.md, _Fetching_.
 */
import type {
  CompleteReply,
  LeasedJob,
  QueueCommands,
  Retention,
} from '../../commands/commands.js';
import type { WakeListener } from './wake-listener.js';
import type { SlotBudget } from './slot-budget.js';
import type { PendingAck } from '../types.js';
import { MAX_PER_CALL } from '../../commands/lifecycle.js';

/** Most script calls (ack + fetch) a worker keeps in flight at once. */
export const MAX_CALLS = 3;

/**
 * Below this many slots (concurrency and prefetch) one call at a time: halves of a small batch
 * cost more per call (the keys and arguments of each call, its own reply) than the overlap wins
 * back (measured: at c=10 two calls of 5 took ~15 % more worker CPU per job and drained no
 * faster; at c=100 two calls of 50 drained faster at the same CPU per job).
 */
export const PIPELINE_MIN_CONCURRENCY = 32;
/**
 * From this many slots, three calls (measured with `--compare`, c=100 with its prefetch, 200
 * slots: three calls of 67 drained 1.08–1.21× faster than two of 100; at 110 slots (c=10) three
 * calls drained 0.90× as fast as two).
 */
export const THREE_CALLS_FROM = 150;

/** Calls in flight for `slots` (concurrency and prefetch allowance). */
export function callsFor(slots: number): number {
  if (slots < PIPELINE_MIN_CONCURRENCY) return 1;
  return slots < THREE_CALLS_FROM ? 2 : MAX_CALLS;
}

/** What the loop needs of its worker. */
export interface FetchHost<Data, Result> {
  readonly commands: QueueCommands;
  readonly wake: WakeListener;
  /** Jobs the worker can take in hand now: its concurrency, and what it may prefetch. */
  capacity(): number;
  readonly leaseMs: number;
  /**
   * Delayed jobs due within this many ms come ahead into slots the waiting jobs leave free,
   * leased from their due time (0: none); `startJob` starts each at that time.
   */
  readonly leadMs: number;
  readonly keepCompleted: Retention;
  /** Batch handlers: batches form from one fetch at a time (the collector counts the slots). */
  readonly batches: boolean;
  /** Partitioned workers: the shared slot budget (a blocked wait takes none of it). */
  readonly part: { budget: SlotBudget; member: number } | undefined;
  isStarted(): boolean;
  isClosing(): boolean;
  /** The command connection is closed (or closing): nothing can be recorded any more. */
  isEnded(): boolean;
  /**
   * Jobs to ask for: the free slots, and with `prefetch` what may be held beyond them. Only
   * while jobs are being finished (this call acks some, or another call in flight does) does a
   * call prefetch: a worker whose handlers are all busy and finishing nothing never reaches for
   * more (a job added meanwhile stays for an idle worker).
   */
  freeSlots(prefetch: boolean): number;
  /** The oldest `max` pending acks (all of them if fewer); the rest stay pending. */
  takeAcks(max: number): PendingAck<Data, Result>[];
  pendingAcks(): number;
  putBackAcks(acks: PendingAck<Data, Result>[]): void;
  /** Jobs running or waiting for their batch. */
  running(): number;
  tokenBase(): string;
  settleAcks(acks: PendingAck<Data, Result>[], stale: string[], now: number): void;
  /** A reply's Redis time (ms, fractional), before its jobs start. */
  observeClock(now: number): void;
  startJob(leased: LeasedJob): void;
  /** After each reply: a forming batch may start; the delay timer re-arms. */
  afterReply(now: number, nextDue: number): void;
  /** The last reply brought nothing and nothing runs. */
  onEmpty(): void;
  /** Jobs a wait took as the worker closed: give them back. */
  release(jobs: LeasedJob[]): void;
  reportError(err: unknown): void;
  checkIdle(): void;
}

export class FetchLoop<Data, Result> {
  /** Script calls in flight (the wait not counted). */
  calls = 0;
  /** Calls in flight that carry acks: while there are any, jobs are being finished. */
  private ackingCalls = 0;
  /** Slots asked for by the calls and the wait in flight. */
  private requested = 0;
  sendQueued = false;
  /** The queued send, when it waits for the next I/O poll. */
  private later: NodeJS.Immediate | undefined;
  private backingOff = false;
  /** The last reply brought fewer jobs than asked: the queue had no more (the next send waits). */
  private idle = false;
  /** A send found every call slot taken: it is owed once a call returns (a slot-budget wake-up
   * of a partition, or acks, could otherwise be dropped and leave the worker waiting for ever). */
  private owed = false;

  constructor(private readonly host: FetchHost<Data, Result>) {}

  /** Sends acks and asks for jobs soon (once this turn's finishing handlers have joined). */
  pump(): void {
    if (!this.host.isStarted()) return;
    // Handlers that finish in this turn of the event loop join this call: one round trip
    // then acks (and refills) a whole batch instead of a few jobs at a time. Once none runs,
    // none can join: send at the end of this task rather than after the next I/O poll.
    const now = this.host.running() === 0;
    if (this.sendQueued) {
      if (!now || !this.later) return;
      clearImmediate(this.later);
    }
    this.sendQueued = true;
    this.later = now ? undefined : setImmediate(this.send);
    if (now) queueMicrotask(this.send);
  }

  /**
   * Fetch now, even while waiting (the earliest delayed job is due; partition slots came free).
   * A wait under way is ended by a wake-up signal instead: its fetch promotes and takes the job
   * (or another idle worker's does).
   */
  fetchNow(): void {
    const h = this.host;
    if (h.wake.waiting && this.carries())
      void h.commands.client.lpush(h.commands.keys.marker, '1').catch((e) => h.reportError(e));
    else {
      this.idle = false;
      this.pump();
    }
  }

  private readonly send = (): void => {
    if (!this.sendQueued) return; // sent already (an immediate overtaken by a microtask)
    this.sendQueued = false;
    this.later = undefined;
    const h = this.host;
    const capacity = h.capacity();
    const maxCalls = h.batches ? 1 : callsFor(capacity);
    const cap = Math.min(maxCalls > 1 ? Math.ceil(capacity / maxCalls) : Infinity, MAX_PER_CALL);
    // Nothing more to fetch: wait, and the acks of this turn ride with the wait (one write; more
    // than a call takes go first, by calls of their own).
    if (
      this.idle &&
      this.calls === 0 &&
      !h.wake.waiting &&
      !h.isClosing() &&
      !this.backingOff &&
      h.pendingAcks() <= MAX_PER_CALL
    )
      return this.listen();
    // An idle worker's calls only ack: its wait takes what comes.
    const fetching = !this.idle;
    if (this.calls >= maxCalls) this.owed = true;
    while (this.calls < maxCalls && !this.backingOff) {
      const acks = h.takeAcks(MAX_PER_CALL);
      // prefetch while finishing jobs: this call acks some, or one in flight does
      const streaming = acks.length > 0 || this.ackingCalls > 0;
      let want = fetching ? Math.min(h.freeSlots(streaming) - this.requested, cap) : 0;
      if (h.part) want = h.part.budget.claim(h.part.member, want);
      if (acks.length === 0 && want <= 0) break;
      void this.call(acks, Math.max(want, 0));
    }
    // a close waits for the loop to be quiet: this may be the moment it became so
    if (this.calls === 0) h.checkIdle();
  };

  private async call(acks: PendingAck<Data, Result>[], want: number): Promise<void> {
    const h = this.host;
    this.calls++;
    if (acks.length) this.ackingCalls++;
    this.requested += want;
    let reply: CompleteReply;
    try {
      const tokenBase = h.tokenBase();
      reply = acks.length
        ? await h.commands.complete(acks, h.keepCompleted, want, h.leaseMs, tokenBase, h.leadMs)
        : { stale: [], ...(await h.commands.fetch(want, h.leaseMs, tokenBase, h.leadMs)) };
    } catch (err) {
      this.calls--;
      if (acks.length) this.ackingCalls--;
      this.requested -= want;
      h.part?.budget.settle(h.part.member, want, want);
      h.putBackAcks(acks);
      h.reportError(err);
      // A closed connection cannot record anything: those jobs come back by lease expiry.
      if (h.isEnded()) h.takeAcks(Infinity);
      else this.backOff();
      h.checkIdle();
      return;
    }
    this.calls--;
    if (acks.length) this.ackingCalls--;
    this.requested -= want;
    if (acks.length) h.settleAcks(acks, reply.stale, reply.now);
    this.took(reply.jobs, reply.nowExact, reply.nextDue);
    h.part?.budget.settle(h.part.member, want, reply.jobs.length);
    const short = reply.jobs.length < want;
    if ((short || this.idle) && reply.jobs.length === 0) this.maybeEmpty();
    if (this.carries()) {
      if (short) this.idle = true;
      else if (reply.jobs.length > 0) this.idle = false;
      // short: wait, once this turn's finishing handlers have acked; full: more may wait
      this.pump();
    } else if (short) this.listen();
    else if (reply.jobs.length > 0) this.pump(); // more may wait: fill the other half
    // owed a send, or acks left behind (a call takes at most MAX_PER_CALL; a worker whose wait
    // carries none, or that asked for no jobs, is not pumped above)
    if (this.owed || h.pendingAcks() > 0) {
      this.owed = false;
      this.pump();
    }
    h.checkIdle();
  }

  private took(jobs: LeasedJob[], now: number, nextDue: number): void {
    // where Redis's clock is first: a job taken ahead starts at its due time on it
    if (jobs.length) this.host.observeClock(now);
    for (const leased of jobs) this.host.startJob(leased);
    this.host.afterReply(now, nextDue);
  }

  /** The queue had no more work for us and nothing runs: `drained` (once per run dry). */
  private maybeEmpty(): void {
    if (this.host.running() === 0 && this.calls === 0) this.host.onEmpty();
  }

  /** After a failed call: one pause for all (both calls may fail), then go on. */
  private backOff(): void {
    if (this.backingOff) return;
    this.backingOff = true;
    setTimeout(() => {
      this.backingOff = false;
      this.pump();
    }, 500);
  }

  /**
   * Whether the wake-up carries jobs. Batch and partitioned workers take none on it (a batch
   * forms from one fetch at a time; a blocked claim would hold the budget partitions share):
   * they fetch after it, as before, and ack on the command connection.
   */
  private carries(): boolean {
    return !this.host.batches && !this.host.part;
  }

  /**
   * Blocks for work with the free slots no call in flight asked for; the wake-up takes up to that
   * many jobs. The pending acks go first on the same connection, in the same write (a `complete`
   * that fetches nothing: the wait does).
   */
  private listen(): void {
    const h = this.host;
    if (h.wake.waiting || h.isClosing() || !h.isStarted()) return;
    const carry = this.carries();
    const want = carry ? Math.min(h.freeSlots(false) - this.requested, MAX_PER_CALL) : 0;
    const acks = carry ? h.takeAcks(MAX_PER_CALL) : [];
    if (carry && want <= 0) {
      // the calls in flight cover every free slot (they wait if they come back short)
      h.putBackAcks(acks);
      this.idle = false;
      return this.pump();
    }
    this.requested += want;
    let acked: Promise<void> | undefined;
    const before = acks.length
      ? (commands: QueueCommands) => (acked = this.ackBeforeWait(commands, acks))
      : undefined;
    h.wake.wait(want, h.leaseMs, h.tokenBase(), before, h.leadMs).then(
      (reply) => {
        this.requested -= want;
        if (acks.length && !acked) this.giveBack(acks); // stopped before it was sent
        if (!reply) return this.fetchNow(); // a wait without a fetch: fetch after it
        // taken as the worker closed: straight back to waiting (no attempt, no stall)
        if (h.isClosing()) return reply.jobs.length ? h.release(reply.jobs) : undefined;
        this.took(reply.jobs, reply.nowExact, reply.nextDue);
        if (reply.jobs.length === 0) this.maybeEmpty();
        // all it asked for: there may be more (the script woke another worker if so)
        this.idle = reply.jobs.length < want;
        this.pump();
      },
      async (err: unknown) => {
        this.requested -= want;
        if (acks.length && !acked) this.giveBack(acks);
        if (h.isClosing()) return;
        h.reportError(err);
        await new Promise((r) => setTimeout(r, 250));
        this.pump();
      },
    );
  }

  /** Acks sent on the waiting connection just before its wait: settled like any call's. */
  private async ackBeforeWait(
    commands: QueueCommands,
    acks: PendingAck<Data, Result>[],
  ): Promise<void> {
    const h = this.host;
    this.calls++;
    this.ackingCalls++;
    try {
      const reply = await commands.complete(acks, h.keepCompleted, 0, h.leaseMs, h.tokenBase());
      this.calls--;
      this.ackingCalls--;
      h.settleAcks(acks, reply.stale, reply.now);
      this.maybeEmpty(); // the last fetch found no more work
      // Its reply normally comes before the wait's (it was sent first), but not when Redis
      // answered NOSCRIPT (or an FCALL found no function) and it went again behind the wait:
      // the wait's reply then found this call in flight and did not wait again; go on from here.
      this.pump();
    } catch (err) {
      this.calls--;
      this.ackingCalls--;
      h.reportError(err);
      this.giveBack(acks);
    }
    h.checkIdle();
  }

  /** Acks that were not recorded go again on the command connection. */
  private giveBack(acks: PendingAck<Data, Result>[]): void {
    this.host.putBackAcks(acks);
    this.idle = false;
    this.pump();
  }
}
