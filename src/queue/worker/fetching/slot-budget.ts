/**
 * SlotBudget: one `concurrency` shared by the inner workers of a partitioned worker (one inner
 * worker per partition). Before each fetch an inner worker claims slots; after the fetch it
 * settles the claim (fetched jobs are then counted as running). Fairness: while another member
 * is starved (it wanted slots and got none or too few), a member that is not starved gets
 * nothing and the starved ones are woken instead; starved members split the free slots. A
 * member that fetched fewer jobs than it claimed had all its partition offered, so it is no
 * longer starved and the slots it left go to the others at once.
 */

/** One inner worker as the budget sees it. */
export interface BudgetMember {
  /** Jobs it runs now (each holds a slot). */
  readonly running: number;
  /** Makes it go round its fetch loop again. */
  wake(): void;
}

/**
 * A concurrency budget shared by several fetch loops (see the file notes).
 *
 * @example
 * ```ts
 * const budget = new SlotBudget(10);
 * const me = budget.join({ get running() { return inFlight.size; }, wake: () => pump() });
 * const want = budget.claim(me, free); // … fetch up to `want` …
 * budget.settle(me, want, fetched);
 * ```
 */
export class SlotBudget {
  private readonly members: BudgetMember[] = [];
  private readonly starved = new Set<number>();
  private claimed = 0;

  constructor(readonly size: number) {}

  /** Adds a member; returns its index (pass it to claim and settle). */
  join(member: BudgetMember): number {
    return this.members.push(member) - 1;
  }

  /** Slots neither running nor claimed. */
  free(): number {
    return this.size - this.claimed - this.members.reduce((n, m) => n + m.running, 0);
  }

  /** Claims up to `want` slots for member `i`; returns how many it got (maybe 0). */
  claim(i: number, want: number): number {
    if (want <= 0) return 0;
    const free = this.free();
    const othersStarved = [...this.starved].some((j) => j !== i);
    if (free <= 0 || (othersStarved && !this.starved.has(i))) {
      this.starved.add(i);
      if (free > 0) this.wakeStarved(i);
      return 0;
    }
    const share = othersStarved ? Math.max(1, Math.floor(free / this.starved.size)) : free;
    const got = Math.min(want, share);
    this.claimed += got;
    if (got < want) this.starved.add(i);
    else this.starved.delete(i);
    if (othersStarved && free - got > 0) this.wakeStarved(i);
    return got;
  }

  /** Ends member `i`'s claim of `claimed` slots, of which it filled `fetched`. */
  settle(i: number, claimed: number, fetched: number): void {
    this.claimed -= claimed;
    if (fetched < claimed) {
      this.starved.delete(i); // its partition had no more: not starved
      this.wakeStarved(i);
    }
  }

  /** Wakes every starved member but `except`. */
  private wakeStarved(except: number): void {
    for (const j of [...this.starved]) if (j !== except) this.members[j]!.wake();
  }
}
