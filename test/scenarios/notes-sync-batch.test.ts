/**
 * Scenario 1, notes sync with a batched search index. The notes service mirrors each note change
 * to the search index: it first calls the index directly and enqueues the change only when that
 * fails (here: the index's single-document endpoint is down). The `search-index` target takes
 * jobs in batches of up to 50 with a 200 ms wait and calls the bulk endpoint; the bulk answer
 * says per document whether it was indexed. A batch where some notes fail retries only those;
 * a note the index rejects for good is dead-lettered with its reason, for an operator to see.
 */
import { describe, expect, it } from 'vitest';
import { UnrecoverableError, type Queue } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from '../queue/helpers.js';

interface NoteChange {
  noteId: number;
  version: number;
  text: string;
}

/** The outside search index: a single-document endpoint and a bulk one with per-item errors. */
class SearchIndex {
  singleUp = false;
  readonly docs = new Map<number, NoteChange>();
  /** Bulk calls, each the note ids it carried. */
  readonly bulkCalls: number[][] = [];
  /** Times each note was sent (direct or bulk). */
  readonly sent = new Map<number, number>();
  private readonly flaky = new Set<number>();

  constructor(
    flaky: number[],
    private readonly rejected: number,
  ) {
    for (const id of flaky) this.flaky.add(id);
  }

  async put(note: NoteChange): Promise<void> {
    await sleep(1);
    if (!this.singleUp) throw new Error('search index: 503');
    this.store(note);
  }

  async bulk(
    notes: NoteChange[],
  ): Promise<({ ok: true } | { error: string; permanent: boolean })[]> {
    this.bulkCalls.push(notes.map((n) => n.noteId));
    await sleep(5);
    return notes.map((n) => {
      this.sent.set(n.noteId, (this.sent.get(n.noteId) ?? 0) + 1);
      if (n.noteId === this.rejected) return { error: 'mapping conflict', permanent: true };
      if (this.flaky.delete(n.noteId)) return { error: 'shard busy', permanent: false };
      this.store(n);
      return { ok: true };
    });
  }

  private store(note: NoteChange): void {
    const had = this.docs.get(note.noteId);
    if (!had || had.version < note.version) this.docs.set(note.noteId, note);
  }
}

/** The notes service's side: direct first, the queue on failure (idempotent per version). */
async function noteChanged(index: SearchIndex, queue: Queue<NoteChange>, note: NoteChange) {
  try {
    await index.put(note);
  } catch {
    await queue.add('index-note', note, { id: `note-${note.noteId}-v${note.version}` });
  }
}

const h = useHarness();

describe('scenario: notes sync with a batched search index', () => {
  it('indexes in batches of up to 50; a batch with failed notes retries only those', async () => {
    const NOTES = 230;
    const flaky = [7, 8, 60, 61, 62, 199];
    const index = new SearchIndex(flaky, 42);
    const queue = h().queue<NoteChange>('search-index');
    const retrying: string[] = [];
    const worker = h().batchWorker<NoteChange>(
      'search-index',
      async (jobs, ctx) => {
        const answers = await index.bulk(jobs.map((j) => j.data));
        answers.forEach((a, i) => {
          if ('error' in a)
            ctx.fail(jobs[i]!, a.permanent ? new UnrecoverableError(a.error) : new Error(a.error));
        });
      },
      {
        batch: { size: 50, maxWaitMs: 200 },
        retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 100 } },
        autorun: false, // the indexer starts after a backlog built up
      },
    );
    worker.on('retrying', (job) => retrying.push(job.id));

    // The single-document endpoint is down: every change goes through the queue.
    for (let i = 1; i <= NOTES; i++)
      await noteChanged(index, queue, { noteId: i, version: 1, text: `note ${i}` });
    // A change enqueued twice (the service retried its add) is one job.
    await noteChanged(index, queue, { noteId: 5, version: 1, text: 'note 5' });
    expect((await queue.stats()).waiting).toBe(NOTES);
    worker.run();

    await waitFor(async () => {
      const s = await queue.stats();
      return s.completed === NOTES - 1 && s.failed === 1;
    }, 'every note settled');

    // Batches of at most 50, full while the backlog lasts, in enqueue order.
    expect(index.bulkCalls.every((c) => c.length <= 50)).toBe(true);
    expect(index.bulkCalls.slice(0, 4).map((c) => c.length)).toEqual([50, 50, 50, 50]);
    expect(index.bulkCalls[0]![0]).toBe(1);
    // Only the failed notes were sent again: each retried once, every other note exactly once.
    const firstRound = new Set(
      index.bulkCalls.flat().filter((id, i, all) => all.indexOf(id) === i),
    );
    expect(firstRound.size).toBe(NOTES);
    const resent = [...index.sent].filter(([, n]) => n > 1).map(([id]) => id);
    expect(resent.sort((a, b) => a - b)).toEqual(flaky);
    for (const [id, n] of index.sent) expect(n, `note ${id}`).toBe(flaky.includes(id) ? 2 : 1);
    expect(retrying.sort()).toEqual(flaky.map((id) => `note-${id}-v1`).sort());

    // Every note is in the index but the one it rejects, which waits as a dead letter.
    expect(index.docs.size).toBe(NOTES - 1);
    expect(index.docs.has(42)).toBe(false);
    const { jobs: dead } = await queue.getJobs('failed');
    expect(dead.map((j) => [j.id, j.failedReason, j.attemptsMade])).toEqual([
      ['note-42-v1', 'mapping conflict', 1],
    ]);
    const s = await h().state('search-index');
    expect(s.active).toEqual({});
    expect(s.delayed).toEqual({});
    expect(s.waiting).toEqual([]);

    // Later, a few changes arriving close together (within the 200 ms wait) share one batch.
    const before = index.bulkCalls.length;
    for (const noteId of [3, 4, 5]) {
      await noteChanged(index, queue, { noteId, version: 2, text: `note ${noteId}, edited` });
      await sleep(20);
    }
    await waitFor(() => index.docs.get(5)?.version === 2, 'edits indexed');
    expect(index.bulkCalls.slice(before)).toEqual([[3, 4, 5]]);

    // Once the direct endpoint is back, nothing is enqueued.
    index.singleUp = true;
    await noteChanged(index, queue, { noteId: 9, version: 2, text: 'note 9, edited' });
    expect(index.docs.get(9)?.version).toBe(2);
    expect((await queue.stats()).totals.completed).toBe(NOTES - 1 + 3);
  });
});
