/**
 * The fenced floor: the least work a queue with Sluice's guarantees for one job does, with plain
 * ioredis, to show what of Sluice's cost at light load is its design and what is its features.
 * Each state change is one script, as in Sluice: the add (an id, the record, the wait list, a
 * wake-up), the fetch under a lease (deadline and token: a late ack is refused) sent behind a
 * `BLPOP` of the wake-up on the same connection, and the fenced ack that deletes the job.
 * Nothing else: no priorities, delays, retries, events, counters, groups or rate limits, so no
 * flags to read. Taken part in only when named (`--contenders sluice,bee-queue,fenced`); a
 * measuring rig, not a queue (it never takes back an expired lease).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Consumer, ConsumerOptions, Contender, JobData } from './types.js';

const LUA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fenced');
const LEASE_MS = 30_000;
const BLOCK_SECONDS = 5;

interface Keys {
  meta: string;
  wait: string;
  jobs: string;
  active: string;
  lease: string;
  marker: string;
}

function keys(queue: string): Keys {
  const k = (s: string) => `fenced:{${queue}}:${s}`;
  return {
    meta: k('meta'),
    wait: k('wait'),
    jobs: k('jobs'),
    active: k('active'),
    lease: k('lease'),
    marker: k('marker'),
  };
}

type Scripted = Redis & {
  fencedAdd(...args: (string | number)[]): Promise<number>;
  fencedFetch(...args: (string | number)[]): Promise<string[]>;
  fencedAck(...args: (string | number)[]): Promise<number>;
};

function connect(url: string): Scripted {
  const client = new Redis(url, { maxRetriesPerRequest: null });
  const lua = (name: string) => readFileSync(join(LUA_DIR, `${name}.lua`), 'utf8');
  client.defineCommand('fencedAdd', { numberOfKeys: 4, lua: lua('add') });
  client.defineCommand('fencedFetch', { numberOfKeys: 5, lua: lua('fetch') });
  client.defineCommand('fencedAck', { numberOfKeys: 3, lua: lua('ack') });
  return client as Scripted;
}

class FencedConsumer implements Consumer {
  private readonly client: Scripted;
  private readonly blocking: Scripted;
  private readonly k: Keys;
  private readonly id = Math.random().toString(36).slice(2, 10);
  private seq = 0;
  private inFlight = 0;
  private waiting = false;
  private closed = false;
  private acks: string[] = [];
  private ackQueued = false;

  constructor(private readonly o: ConsumerOptions) {
    this.client = connect(o.url);
    this.blocking = connect(o.url);
    this.k = keys(o.queue);
  }

  async connect(): Promise<void> {
    await Promise.all([this.client.ping(), this.blocking.ping()]);
  }

  start(): void {
    this.wait();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.blocking.disconnect();
    await this.client.quit();
  }

  /** Waits for a wake-up with the fetch right behind it: the wake-up carries its jobs. */
  private wait(): void {
    const free = this.o.concurrency - this.inFlight;
    if (this.waiting || this.closed || free <= 0) return;
    this.waiting = true;
    const { k } = this;
    const token = `${this.id}:${++this.seq}`;
    this.blocking.blpop(k.marker, BLOCK_SECONDS).catch(() => null);
    this.blocking
      .fencedFetch(k.wait, k.jobs, k.active, k.lease, k.marker, free, LEASE_MS, token)
      .then(
        (reply) => {
          this.waiting = false;
          for (let i = 0; i < reply.length; i += 2) this.run(reply[i]!, reply[i + 1]!, token);
          this.wait();
        },
        (err: unknown) => {
          this.waiting = false;
          if (this.closed) return;
          console.error('fenced fetch', err);
          setTimeout(() => this.wait(), 100);
        },
      );
  }

  private run(id: string, payload: string, token: string): void {
    this.inFlight++;
    const handler = async (data: JobData): Promise<void> => {
      this.o.onStart(data);
    };
    handler(JSON.parse(payload) as JobData).then(
      () => {
        this.inFlight--;
        this.acks.push(id, token);
        this.queueAck();
        this.wait();
      },
      (err: unknown) => console.error('fenced handler', err),
    );
  }

  /** The acks of the jobs that finish in one turn share one call. */
  private queueAck(): void {
    if (this.ackQueued) return;
    this.ackQueued = true;
    queueMicrotask(() => {
      this.ackQueued = false;
      const acks = this.acks;
      this.acks = [];
      const { k } = this;
      this.client.fencedAck(k.active, k.lease, k.jobs, ...acks).then(
        (n) => {
          for (let i = 0; i < n; i++) this.o.onCompleted();
        },
        (err: unknown) => console.error('fenced ack', err),
      );
    });
  }
}

export const fenced: Contender = {
  name: 'fenced',
  label: 'fenced floor',
  can: { keepCompleted: false, delayed: false },

  async createProducer({ url, queue }) {
    const client = connect(url);
    const k = keys(queue);
    await client.ping(); // connected before the clock starts
    return {
      async addBulk(jobs) {
        await client.fencedAdd(
          k.meta,
          k.wait,
          k.jobs,
          k.marker,
          ...jobs.map((j) => JSON.stringify(j)),
        );
      },
      async add(job, delayMs = 0) {
        if (delayMs > 0) throw new Error('the fenced floor has no delayed jobs');
        await client.fencedAdd(k.meta, k.wait, k.jobs, k.marker, JSON.stringify(job));
      },
      close: async () => {
        await client.quit();
      },
    };
  },

  async createConsumer(o) {
    const consumer = new FencedConsumer(o);
    await consumer.connect();
    return consumer;
  },
};
