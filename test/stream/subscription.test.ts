/**
 * The subscription's hand-over logic, driven step by step: a simulated topic whose reads run
 * only when the test says (against the entries as they are at that moment), and notifications
 * delivered by hand. Each case is a race that real Redis produces only by chance: the ring not
 * reaching back to the tail just read, a read shared after a reconnect, the ring of a deleted
 * life of the topic, a slow consumer filling its buffer.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Hub } from '../../src/stream/hub.js';
import type { LiveRouter } from '../../src/stream/live-router.js';
import type { PageSource, ParsedPage } from '../../src/stream/subscription.js';
import { Subscription } from '../../src/stream/subscription.js';
import { TopicReader } from '../../src/stream/topic-reader.js';
import type { StreamEntry } from '../../src/index.js';

const router = { join: async () => {}, leave: () => {} } as unknown as LiveRouter;
const flush = () => new Promise((r) => setImmediate(r));

interface Pending {
  key: string;
  run: (upTo?: number) => void;
}

/** A topic in memory: entries `<n>-0` carrying `n`, reads that wait for `execute()`. */
class FakeTopic {
  epoch: string | null = 'e1';
  ids: string[] = [];
  readonly pending: Pending[] = [];
  readonly hub = new Hub('p', undefined, 'n', undefined as never, router);
  readonly source: PageSource = {
    readSeq: () => this.hub.readSeq,
    readAfter: (id, epoch, limit, since) =>
      this.read(`after ${id} ${epoch} ${limit}`, since, (upTo) =>
        this.page(id, epoch, limit, upTo),
      ),
    readTail: (since) => this.read('tail', since, (upTo) => this.page(null, '', 0, upTo)),
  };
  readonly reader = new TopicReader(router, 'ch', this.source);
  private n = 0;

  /** Appends `count` entries; returns their ids. */
  append(count: number): string[] {
    const added = Array.from({ length: count }, () => `${++this.n}-0`);
    this.ids.push(...added);
    return added;
  }

  /** Delivers the notification a publish of `ids` sends (`inline`: with their data). */
  notify(ids: string[], inline = true, epoch = this.epoch!): void {
    const at = this.ids.indexOf(ids[0]!);
    const prev = at > 0 ? this.ids[at - 1]! : '0-0';
    const data = inline ? ids.map((id) => String(parseInt(id, 10))) : [];
    this.reader.onMessage([epoch, prev, ids.length, inline ? 1 : 0, ...ids, ...data].join('\n'));
  }

  /** Runs the oldest waiting read, as if Redis ran it when only the first `upTo` entries existed. */
  async execute(upTo?: number): Promise<void> {
    const p = this.pending.shift();
    if (!p) throw new Error('no read waiting');
    p.run(upTo);
    await flush();
  }

  subscribe(after?: string, opts: { maxBuffered?: number; signal?: AbortSignal } = {}) {
    const start = after === undefined ? undefined : { epoch: 'e1', id: after };
    return new Subscription<number>(
      this.reader,
      start,
      100,
      opts.maxBuffered ?? 1000,
      () => {},
      opts.signal,
    );
  }

  private read(
    key: string,
    since: number,
    compute: (upTo?: number) => Omit<ParsedPage, 'seq'>,
  ): Promise<ParsedPage> {
    return this.hub
      .coalesce(
        key,
        since,
        () =>
          new Promise<Omit<ParsedPage, 'seq'>>((resolve) =>
            this.pending.push({ key, run: (upTo) => resolve(compute(upTo)) }),
          ),
      )
      .then(({ seq, value }) => ({ ...value, seq }));
  }

  private page(
    after: string | null,
    readerEpoch: string,
    limit: number,
    upTo = this.ids.length,
  ): Omit<ParsedPage, 'seq'> {
    const ids = this.ids.slice(0, upTo);
    const epoch = this.epoch;
    if (epoch === null) return { epoch, truncated: '', firstId: null, lastId: '0-0', entries: [] };
    const stale = after !== null && readerEpoch !== '' && readerEpoch !== epoch;
    const from = after === null ? ids.length : stale ? 0 : ids.indexOf(after) + 1;
    const entries: StreamEntry[] = ids.slice(from, from + limit).map((id) => ({
      position: `${epoch}:${id}`,
      id,
      time: 0,
      data: parseInt(id, 10),
    }));
    return {
      epoch,
      truncated: stale ? 'epoch' : '',
      firstId: ids[0] ?? null,
      lastId: ids.at(-1) ?? '0-0',
      entries,
    };
  }
}

const dataOf = async (sub: Subscription<number>) => {
  const r = await sub.next();
  return r.value?.type === 'entry' ? r.value.entry.data : r.value;
};

describe('subscription hand-over', () => {
  it('reads again when the ring does not reach back to the tail it started from', async () => {
    const t = new FakeTopic();
    t.append(3);
    await t.reader.ready;
    const sub = t.subscribe(); // live-only: reads the tail
    await flush();
    expect(t.pending.map((p) => p.key)).toEqual(['tail']);
    // Before that read runs, 4 (too large to travel inline) and 5 are published.
    t.append(2);
    t.notify(['4-0'], false);
    t.notify(['5-0']);
    await t.execute(3); // the tail read ran before 4 existed: it says 3
    await sub.ready();
    // The ring holds only 5, which does not follow 3: read the gap instead of going live.
    expect(sub.stats.mode).toBe('catchup');
    const next = dataOf(sub);
    await flush();
    await t.execute();
    expect(await next).toBe(4);
    expect(await dataOf(sub)).toBe(5);
    expect(sub.stats.mode).toBe('live');
    sub.close();
  });

  it('after a reconnect, neither joins nor trusts a read sent before it', async () => {
    const t = new FakeTopic();
    t.append(2);
    await t.reader.ready;
    const a = t.subscribe('2-0');
    const b = t.subscribe('2-0');
    const fromA = dataOf(a); // A's first read is sent…
    await flush();
    expect(t.pending).toHaveLength(1);
    t.append(1); // …3 is published while the Pub/Sub link is down…
    t.reader.onResync(); // …and the link comes back
    const fromB = dataOf(b);
    await flush();
    expect(t.pending).toHaveLength(2); // B did not join A's read
    await t.execute(2); // A's read ran before 3 existed: A must not go live on it
    expect(a.stats.mode).toBe('catchup');
    await t.execute(); // B's read, which A joins now
    expect(await fromA).toBe(3);
    expect(await fromB).toBe(3);
    expect(t.hub.counters).toEqual({ reads: 2, sharedReads: 1 });
    expect([a.stats.mode, b.stats.mode]).toEqual(['live', 'live']);
  });

  it('does not deliver the ring of a deleted life of the topic', async () => {
    const t = new FakeTopic();
    t.epoch = 'old';
    const old = t.append(3);
    await t.reader.ready;
    t.notify(old, true, 'old'); // the ring now holds the old life from its first entry
    t.epoch = null; // the topic is deleted
    t.ids = [];
    const sub = new Subscription<number>(
      t.reader,
      { epoch: null, id: '0-0' },
      100,
      1000,
      () => {},
      undefined,
    );
    const first = sub.next();
    await flush();
    await t.execute(); // the read: no topic
    await t.execute(); // the tail read that settles which life the ring is of
    expect(sub.stats).toMatchObject({ mode: 'live', buffered: 0, delivered: 0 });
    t.epoch = 'new'; // created again: its first entry arrives live
    t.notify(t.append(1), true, 'new');
    const r = await first;
    expect(r.value).toMatchObject({ type: 'entry', entry: { position: 'new:4-0', data: 4 } });
  });

  it('keeps what a slow consumer holds and reads on from the last entry held', async () => {
    const t = new FakeTopic();
    t.append(1);
    await t.reader.ready;
    const sub = t.subscribe('1-0', { maxBuffered: 3 });
    const first = dataOf(sub);
    await flush();
    await t.execute(); // caught up: live
    const ids = t.append(10);
    for (const id of ids) t.notify([id]);
    expect(sub.stats).toMatchObject({ mode: 'catchup', buffered: 3 });
    expect(await first).toBe(2);
    expect([await dataOf(sub), await dataOf(sub)]).toEqual([3, 4]);
    const fifth = dataOf(sub);
    await flush();
    expect(t.pending.map((p) => p.key)).toEqual(['after 4-0 e1 100']); // not from 1 again
    await t.execute();
    expect(await fifth).toBe(5);
    sub.close();
  });

  it('removes its abort listener when it closes', () => {
    const t = new FakeTopic();
    const ac = new AbortController();
    for (let i = 0; i < 20; i++) t.subscribe('0-0', { signal: ac.signal }).close();
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    const live = t.subscribe('0-0', { signal: ac.signal });
    ac.abort();
    expect(live.stats.mode).toBe('closed');
  });
});
