/**
 * Scenario 2 (chat) through the outbox: the backend stores each message in PostgreSQL and, in
 * the same transaction, publishes it to the conversation's topic (which feeds the fan-in feed).
 * A live subscriber sees every stored message once, in order; a message whose transaction fails
 * is neither stored nor published; the feed's consumer group gets one pointer per message.
 */
import { expect, it } from 'vitest';
import type { FeedPointer, Topic } from '../../src/index.js';
import { Outbox, Relay } from '../../src/outbox/index.js';
import { redisUrl, waitFor } from '../harness/context.js';
import { Collector, StreamHarness } from '../stream/helpers.js';
import { usePostgres } from './helpers.js';

interface Message {
  id: number;
  from: string;
  text: string;
}

const pg = usePostgres();

it('scenario: chat — store the message, then publish, in one transaction', async () => {
  const db = await pg.db();
  await db.pool.query(`CREATE TABLE messages (
    id bigserial PRIMARY KEY, conv text NOT NULL, sender text NOT NULL,
    body text NOT NULL CHECK (length(body) <= 50))`);
  const h = new StreamHarness(redisUrl());
  const streams = h.streams();
  const feed = streams.feed('chat', { partitions: 4, maxLen: 100_000 });
  const conv = (name: string): Topic<Message> =>
    streams.topic<Message>(name, { feed, maxLen: 1000, ttlMs: 30 * 86_400_000 });
  const relay = new Relay({ pool: db.pool, topic: conv, pollMs: 200 });
  relay.start();
  const outbox = new Outbox();

  const send = (c: string, from: string, text: string) =>
    db.tx(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        'INSERT INTO messages (conv, sender, body) VALUES ($1, $2, $3) RETURNING id',
        [c, from, text],
      );
      await outbox.publish(tx, c, { id: Number(rows[0]!.id), from, text });
    });

  const pointers: FeedPointer[] = [];
  const fanout = feed.group('fanout').process(
    async ({ data }: { data: FeedPointer }) => {
      pointers.push(data);
    },
    { consumer: 'server-1', blockMs: 200 },
  );
  await fanout.ready();
  const live = new Collector(conv('conv:ab').subscribe({ after: '0' }));
  try {
    await send('conv:ab', 'alice', 'hi bob');
    await send('conv:ab', 'bob', 'hi alice');
    await expect(send('conv:ab', 'alice', 'x'.repeat(51))).rejects.toThrow(/check constraint/);
    await send('conv:bc', 'bob', 'carol?');
    await send('conv:ab', 'alice', 'lunch?');
    await live.waitForCount(3);
    const stored = await db.pool.query<{ id: string; sender: string; body: string }>(
      `SELECT id, sender, body FROM messages WHERE conv = 'conv:ab' ORDER BY id`,
    );
    // Exactly the stored messages, in their order: the failed one is in neither place.
    expect(live.data).toEqual(
      stored.rows.map((r) => ({ id: Number(r.id), from: r.sender, text: r.body })),
    );
    expect(live.data.map((m) => m.text)).toEqual(['hi bob', 'hi alice', 'lunch?']);
    await waitFor(() => pointers.length === 4, 'one feed pointer per stored message');
    expect(pointers.filter((p) => p.topic === 'conv:bc')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(live.data).toHaveLength(3); // and no duplicate came later
  } finally {
    await live.stop();
    await fanout.close();
    await relay.stop();
  }
});
