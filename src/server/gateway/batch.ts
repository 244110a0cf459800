/**
 * Writes batched per socket per turn of the event loop. A fan-out hands each socket its frames
 * one by one; written straight away, every frame of every socket is one system call. The first
 * frame of a turn goes out at once (a lone broadcast is not held back: the clients start reading
 * while the server is still writing to the others); from the second one the socket is corked and
 * uncorked once the turn's work is done (`setImmediate`: one for the whole process, not one per
 * socket), so a burst goes out in one `writev`. A long turn still flushes every
 * {@link FLUSH_EVERY} frames, so no socket holds a backlog that its budget would count against it.
 */

/** A stream that can be corked (a `net.Socket`). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/** Frames a socket gathers before it is flushed within one turn. */
export const FLUSH_EVERY = 64;

/** One socket's batching state. */
export class TickBatch {
  private frames = 0;

  constructor(private readonly stream: Corkable) {}

  /** Call before each write: the turn's first goes out, then corked, flushed every FLUSH_EVERY. */
  beforeWrite(): void {
    if (this.frames === 0) {
      pending.push(this);
      if (pending.length === 1) setImmediate(flushAll);
    } else if (this.frames === 1) {
      this.stream.cork();
    } else if ((this.frames - 1) % FLUSH_EVERY === 0) {
      this.stream.uncork();
      this.stream.cork();
    }
    this.frames++;
  }

  /** Sends what the turn gathered; the next turn starts afresh. */
  flush(): void {
    const corked = this.frames > 1;
    this.frames = 0;
    if (corked) this.stream.uncork();
  }
}

let pending: TickBatch[] = [];

function flushAll(): void {
  const batch = pending;
  pending = [];
  for (const b of batch) b.flush();
}
