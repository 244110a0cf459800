/**
 * One poller of queue stats per server process, shared by every open dashboard: it reads each
 * queue's `stats()` about once a second while at least one viewer listens and stops when the
 * last one leaves, so the Redis cost depends on the number of queues, never on the viewers.
 */
import type { QueueStats } from '../index.js';
import type { ServerContext } from './types.js';

/** What one tick sends: every queue's counts (without the 60-minute arrays). */
export interface LiveSnapshot {
  /** Server time of the read (ms). */
  t: number;
  queues: Omit<QueueStats, 'history'>[];
}

type Listener = (snapshot: LiveSnapshot) => void;

/** The shared poller: `subscribe` returns the unsubscribe function. */
export class LivePoller {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private last: LiveSnapshot | undefined;
  private running = false;
  /** Ticks run so far (tests count work with it). */
  ticks = 0;

  constructor(
    private readonly ctx: ServerContext,
    private readonly intervalMs = 1000,
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.last) listener(this.last);
    if (!this.timer && !this.running) void this.tick();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  get viewers(): number {
    return this.listeners.size;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last = undefined;
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    try {
      const names = await this.ctx.queues.names();
      const queues = await Promise.all(
        names.map(async (n) => {
          const { history: _history, ...rest } = await this.ctx.queues.get(n).stats();
          return rest;
        }),
      );
      this.ticks++;
      this.last = { t: Date.now(), queues };
      for (const l of this.listeners) l(this.last);
    } catch {
      // Redis away: viewers keep the last figures; the next tick tries again.
    } finally {
      this.running = false;
      if (this.listeners.size > 0) this.timer = setTimeout(() => void this.tick(), this.intervalMs);
    }
  }
}

const pollers = new WeakMap<ServerContext, LivePoller>();

/** The poller of a server context (one per process). */
export function livePoller(ctx: ServerContext): LivePoller {
  let p = pollers.get(ctx);
  if (!p) {
    p = new LivePoller(ctx);
    pollers.set(ctx, p);
  }
  return p;
}
