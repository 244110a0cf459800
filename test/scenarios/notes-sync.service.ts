/**
 * The notes service of scenario 1 and the outside services it mirrors notes to: a chat bot API
 * and a social network API that can be taken down, and a search index that takes documents in
 * batches. The service calls chat and social directly and queues the call only when it fails
 * (`tryOrEnqueue`); search updates always go through its queue, whose handler batches them.
 */
import {
  Queue,
  Worker,
  tryOrEnqueue,
  type RetryPolicy,
  type TryOrEnqueueResult,
} from '../../src/index.js';

export interface NoteChange {
  noteId: number;
  rev: number;
  text: string;
}

/** The retry policy of each target queue, as the scenario states it. */
export const POLICIES: Record<'chat' | 'social', RetryPolicy> = {
  // 3 retries: 60 s, ×2, at most 60 min.
  chat: {
    maxAttempts: 4,
    backoff: { type: 'exponential', baseMs: 60_000, factor: 2, maxMs: 3_600_000 },
  },
  // 5 retries: 30 s, ×1.5, at most 30 min.
  social: {
    maxAttempts: 6,
    backoff: { type: 'exponential', baseMs: 30_000, factor: 1.5, maxMs: 1_800_000 },
  },
};

/** An outside API that is up or down, and records what it received. */
export class OutsideApi {
  up = true;
  readonly received: NoteChange[] = [];
  constructor(readonly name: string) {}
  async post(change: NoteChange, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!this.up) throw new Error(`${this.name} API answered 503`);
    this.received.push(change);
  }
}

/**
 * A search index that is called with batches: documents handed to `add` within one flush window
 * (or up to `max` of them) go in one call; each caller's promise settles with its batch.
 */
export class BatchingIndex {
  readonly calls: NoteChange[][] = [];
  private batch: { doc: NoteChange; done: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly max = 10) {}
  add(doc: NoteChange): Promise<void> {
    return new Promise((done) => {
      this.batch.push({ doc, done });
      if (this.batch.length >= this.max) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), 20);
    });
  }
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.batch.splice(0);
    if (batch.length === 0) return;
    this.calls.push(batch.map((b) => b.doc));
    for (const b of batch) b.done();
  }
}

/** The notes service: producers on the three target queues, and their workers. */
export class NotesService {
  readonly chat: Queue<NoteChange>;
  readonly social: Queue<NoteChange>;
  readonly search: Queue<NoteChange>;
  readonly workers: Worker<NoteChange>[];

  constructor(
    connection: string,
    prefix: string,
    readonly apis: { chat: OutsideApi; social: OutsideApi; index: BatchingIndex },
  ) {
    const base = { connection, prefix };
    this.chat = new Queue('chat', base);
    this.social = new Queue('social', base);
    this.search = new Queue('search', base);
    this.workers = [
      new Worker<NoteChange>('chat', (job) => apis.chat.post(job.data), {
        ...base,
        retry: POLICIES.chat,
      }),
      new Worker<NoteChange>('social', (job) => apis.social.post(job.data), {
        ...base,
        retry: POLICIES.social,
      }),
      new Worker<NoteChange>('search', (job) => apis.index.add(job.data), {
        ...base,
        concurrency: 10,
      }),
    ];
  }

  /** Mirrors one note change: direct calls with a 1 s deadline, queued on failure. */
  async noteChanged(
    change: NoteChange,
  ): Promise<Record<'chat' | 'social', TryOrEnqueueResult<void>>> {
    const id = `note-${change.noteId}-r${change.rev}`;
    const job = { name: 'note-changed', data: change, id, deadlineMs: 1000 };
    const [chat, social] = await Promise.all([
      tryOrEnqueue(this.chat, (signal) => this.apis.chat.post(change, signal), job),
      tryOrEnqueue(this.social, (signal) => this.apis.social.post(change, signal), job),
    ]);
    await this.search.add('index', change, { id });
    return { chat, social };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close(2000)));
    await Promise.all([this.chat.close(), this.social.close(), this.search.close()]);
  }
}
