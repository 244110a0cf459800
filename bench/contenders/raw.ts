/**
 * The raw ceiling: the least work a reliable list queue can do per job, with plain ioredis.
 * Produce: LPUSH (one LPUSH of 1,000 values per bulk chunk). Consume: LMOVE wait → processing
 * (the job survives a consumer crash), run the handler, LREM it from processing. One loop sends
 * the LREMs of finished jobs and one LMOVE per free slot in a single pipeline (jobs finishing in
 * the same turn share one pipeline), and blocks in BLMOVE (on a second connection) only when it
 * has nothing to do. No ids, no retries, no
 * leases, no delayed jobs, no retention: a ceiling, not a queue.
 */
import { Redis } from 'ioredis';
import type { Consumer, ConsumerOptions, Contender, JobData } from './types.js';

function keys(queue: string): { wait: string; processing: string } {
  return { wait: `raw:${queue}:wait`, processing: `raw:${queue}:processing` };
}

class RawConsumer implements Consumer {
  private readonly client: Redis;
  private readonly blocking: Redis;
  private readonly k: { wait: string; processing: string };
  private inFlight = 0;
  private acks: string[] = [];
  private pumping = false;
  private again = false;
  private closed = false;
  private kickQueued = false;

  constructor(private readonly o: ConsumerOptions) {
    this.client = new Redis(o.url, { maxRetriesPerRequest: null });
    this.blocking = new Redis(o.url, { maxRetriesPerRequest: null });
    this.k = keys(o.queue);
  }

  /** Connects both connections before the clock starts. */
  async connect(): Promise<void> {
    await Promise.all([this.client.ping(), this.blocking.ping()]);
  }

  start(): void {
    void this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.blocking.disconnect();
    await this.client.quit();
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        if (this.closed) return;
        const acks = this.acks;
        this.acks = [];
        const want = this.o.concurrency - this.inFlight;
        if (acks.length === 0 && want <= 0) break;
        const p = this.client.pipeline();
        for (const a of acks) p.lrem(this.k.processing, -1, a);
        for (let i = 0; i < want; i++) p.lmove(this.k.wait, this.k.processing, 'RIGHT', 'LEFT');
        const replies = (await p.exec()) ?? [];
        for (let i = 0; i < acks.length; i++) this.o.onCompleted();
        let got = 0;
        for (let i = acks.length; i < replies.length; i++) {
          const [err, value] = replies[i]!;
          if (err) throw err;
          if (typeof value === 'string') {
            got++;
            this.run(value);
          }
        }
        // Block only when there is truly nothing to do: no job running, no ack waiting.
        if (got === 0 && this.inFlight === 0 && this.acks.length === 0 && !this.closed) {
          const value = await this.blocking
            .blmove(this.k.wait, this.k.processing, 'RIGHT', 'LEFT', 1)
            .catch(() => null);
          if (value) this.run(value);
          this.again = true;
        }
      } while (this.again);
    } finally {
      this.pumping = false;
    }
  }

  /** Runs the loop once the jobs finishing in this turn have all pushed their acks. */
  private kick(): void {
    if (this.kickQueued) return;
    this.kickQueued = true;
    queueMicrotask(() => {
      this.kickQueued = false;
      void this.pump();
    });
  }

  private run(payload: string): void {
    this.inFlight++;
    const handler = async (data: JobData): Promise<void> => {
      this.o.onStart(data);
    };
    handler(JSON.parse(payload) as JobData).then(
      () => {
        this.inFlight--;
        this.acks.push(payload);
        this.kick();
      },
      (err: unknown) => console.error('raw handler', err),
    );
  }
}

export const raw: Contender = {
  name: 'raw',
  label: 'raw ceiling',
  can: { keepCompleted: false, delayed: false },

  async createProducer({ url, queue }) {
    const client = new Redis(url, { maxRetriesPerRequest: null });
    const { wait } = keys(queue);
    await client.ping(); // connected before the clock starts
    return {
      async addBulk(jobs) {
        await client.lpush(wait, ...jobs.map((j) => JSON.stringify(j)));
      },
      async add(job, delayMs = 0) {
        if (delayMs > 0) throw new Error('raw ceiling has no delayed jobs');
        await client.lpush(wait, JSON.stringify(job));
      },
      close: async () => {
        await client.quit();
      },
    };
  },

  async createConsumer(o) {
    const consumer = new RawConsumer(o);
    await consumer.connect();
    return consumer;
  },
};
