/**
 * The relay's wake-up: a session that LISTENs on `<schema>.outbox` (the insert trigger notifies
 * it when a transaction that wrote rows commits), and a bounded poll behind it, so a lost
 * notification (the listening session dropped, or a NOTIFY-less bulk load) delays delivery by at
 * most `pollMs`. A lost listening session is opened again at the next wait.
 */
import type { SqlPool } from './sql.js';

interface ListenClient {
  query(text: string): Promise<unknown>;
  on(event: 'notification', fn: () => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  release(err?: Error | boolean): void;
}

export class Wake {
  private client: ListenClient | undefined;
  private pending = false;
  private wakeUp: (() => void) | undefined;
  /** True once `close` was called (a closed Wake never listens again). */
  closed = false;

  constructor(
    private readonly pool: SqlPool,
    private readonly channel: string,
    private readonly listen: boolean,
  ) {}

  /** Resolves on a notification (or one that came while busy), on `interrupt`, or after `ms`. */
  async wait(ms: number): Promise<void> {
    // Rows committed before the LISTEN took effect sent their NOTIFY to nobody: look once more.
    if (this.listen && !this.client && !this.closed)
      await this.open().then(
        () => (this.pending = true),
        () => {},
      );
    if (this.pending || this.closed) {
      this.pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
    this.pending = false;
  }

  /** Ends the current wait now. */
  interrupt(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.interrupt();
    const c = this.client;
    this.client = undefined;
    if (c) {
      await c.query(`UNLISTEN *`).catch(() => {});
      c.release(true);
    }
  }

  private async open(): Promise<void> {
    const c = (await this.pool.connect()) as unknown as ListenClient;
    c.on('notification', () => this.interrupt());
    c.on('error', () => {
      if (this.client === c) this.client = undefined;
      c.release(true);
    });
    try {
      await c.query(`LISTEN "${this.channel}"`);
    } catch (err) {
      c.release(true);
      throw err;
    }
    if (this.closed) c.release(true);
    else this.client = c;
  }
}
