/**
 * Single plain adds made in one turn of the event loop, sent as one `add_plain` call: a producer
 * with many adds in flight (a web server enqueueing per request) pays one script call per turn,
 * not one per job. Each add is still its own atomic step of one script that stores every job of
 * the call in call order with consecutive ids; an add resolves once that call's reply says its
 * job is stored, and a call that fails rejects every add it carried, none of which it stored (a
 * connection loss after the send is the exception every call has: see docs/guarantees.md).
 *
 * The batch is sent at the end of the turn, where the write batcher sends the socket's writes
 * anyway, or once it holds {@link PLAIN_ADDS_PER_CALL} jobs or {@link PLAIN_ADD_CHARS_PER_CALL}
 * of payload. Sending it earlier, so that Redis starts on the first jobs while the producer builds
 * the rest, measured slower: with 100 adds in flight, 16 jobs per call ran 0.95× Bee-Queue's
 * rate, 32 1.13×, 128 or more 1.24–1.35×. Order with the connection's other commands is kept by
 * the connection: it sends a held batch before any other command (`CommandConnection.hold`).
 */
import type { CommandConnection } from '../../redis/command-connection.js';
import { MAX_PER_CALL } from './lifecycle.js';

/** Jobs per `add_plain` call of held single adds at most: what a script may `unpack`. */
export const PLAIN_ADDS_PER_CALL = MAX_PER_CALL;

/**
 * Payload per call at most, in UTF-16 units (a string's length: no byte count per add). A
 * thousand large payloads in one command would pass Redis's query buffer limit (1 GiB), which
 * closes the connection; a few MiB per call costs nothing against a round trip per job.
 */
export const PLAIN_ADD_CHARS_PER_CALL = 4 * 1024 * 1024;

/** What a plain add resolves with. */
export interface PlainAdded {
  id: string;
  created: true;
}

interface Waiter {
  resolve(added: PlainAdded): void;
  reject(err: unknown): void;
}

/** Sends the bodies as one `add_plain` call; resolves with the first job's id. */
export type SendPlainAdds = (bodies: string[], now: number) => Promise<number>;

export class PlainAddBatch {
  private bodies: string[] = [];
  private waiters: Waiter[] = [];
  /** The latest `now` of the held adds: no job's created time is before its own add. */
  private now = 0;
  /** The held bodies' length. */
  private chars = 0;
  private readonly flushNow = (): void => this.flush();

  constructor(
    private readonly conn: CommandConnection,
    private readonly send: SendPlainAdds,
  ) {}

  /** Holds one plain add (`body`: its record after the header) for this turn's call. */
  add(body: string, now: number): Promise<PlainAdded> {
    if (this.bodies.length === 0) {
      this.conn.hold(this.flushNow);
      process.nextTick(this.flushNow);
    }
    if (now > this.now) this.now = now;
    this.bodies.push(body);
    this.chars += body.length;
    const added = new Promise<PlainAdded>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
    if (this.bodies.length >= PLAIN_ADDS_PER_CALL || this.chars >= PLAIN_ADD_CHARS_PER_CALL)
      this.conn.flushHeld();
    return added;
  }

  /** Sends the held adds, if any (the connection calls it before any other command). */
  private flush(): void {
    const bodies = this.bodies;
    if (bodies.length === 0) return;
    const waiters = this.waiters;
    const now = this.now;
    this.bodies = [];
    this.waiters = [];
    this.now = 0;
    this.chars = 0;
    this.conn.release(this.flushNow);
    this.send(bodies, now).then(
      (first) => {
        for (let i = 0; i < waiters.length; i++)
          waiters[i]!.resolve({ id: String(first + i), created: true });
      },
      (err: unknown) => {
        for (const w of waiters) w.reject(err);
      },
    );
  }
}
