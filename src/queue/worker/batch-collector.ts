/**
 * Forms batches: leased jobs are added as fetches return them; a batch goes to the handler when
 * it is full, or `maxWaitMs` after a fetch round first left it partly filled (0 = at once).
 */
export class BatchCollector<T> {
  private buffer: T[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly size: number,
    private readonly maxWaitMs: number,
    private readonly dispatch: (items: T[]) => void,
  ) {}

  /** Jobs collected for the next batch. */
  get length(): number {
    return this.buffer.length;
  }

  add(item: T): void {
    this.buffer.push(item);
    if (this.buffer.length >= this.size) this.flush();
  }

  /** After a fetch round: a partial batch waits for more at most `maxWaitMs` in all. */
  wait(): void {
    if (this.buffer.length === 0 || this.timer) return;
    if (this.maxWaitMs === 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), this.maxWaitMs);
  }

  /** Hands over what is collected, if anything. */
  flush(): void {
    const items = this.take();
    if (items.length) this.dispatch(items);
  }

  /** Takes what is collected without dispatching it (shutdown gives those jobs back). */
  take(): T[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.buffer.splice(0);
  }
}
