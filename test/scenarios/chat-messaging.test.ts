/**
 * Scenario 2, chat messaging (server side). Each conversation is a topic (bounded length) that
 * also feeds a partitioned fan-in feed; two server instances run the feed's consumer group,
 * which raises the unread counts of the other members. Bob's phone is live on one instance and
 * the server keeps its cursor; Bob goes offline, messages arrive, and when he comes back on the
 * other instance he gets exactly what he missed, in order, then live again — no duplicate.
 */
import { describe, expect, it } from 'vitest';
import type { FeedPointer, Streams, Topic } from '../../src/index.js';
import { redisUrl, waitFor } from '../harness/context.js';
import { Collector, StreamHarness } from '../stream/helpers.js';

interface Message {
  from: string;
  text: string;
}

const MEMBERS: Record<string, string[]> = {
  'conv:ab': ['alice', 'bob'],
  'conv:bc': ['bob', 'carol'],
  'conv:abc': ['alice', 'bob', 'carol'],
};
const CONVS = Object.keys(MEMBERS);

/** One server instance: its hub, the feed, and its member of the fan-out group. */
function startServer(streams: Streams, name: string, handled: Map<string, string[]>) {
  const feed = streams.feed('chat', { partitions: 4, maxLen: 100_000 });
  const conv = (id: string): Topic<Message> =>
    streams.topic<Message>(id, { feed, maxLen: 1000, ttlMs: 30 * 86_400_000 });
  const cursors = streams.cursors();
  const fanout = feed.group('fanout').process(
    async ({ data: pointer }: { data: FeedPointer }) => {
      const message = await conv(pointer.topic).get(pointer.position);
      if (!message) return; // trimmed already: nothing to notify about
      for (const member of MEMBERS[pointer.topic]!)
        if (member !== message.data.from) await cursors.addUnread(member, pointer.topic);
      handled.set(pointer.position, [...(handled.get(pointer.position) ?? []), name]);
    },
    { consumer: name, concurrency: 4, claimIdleMs: 2000, blockMs: 500 },
  );
  return { feed, conv, cursors, fanout, group: feed.group('fanout') };
}

describe('scenario: chat messaging', () => {
  it('fans out through a group of two instances; an offline client catches up exactly', async () => {
    const h = new StreamHarness(redisUrl());
    const handled = new Map<string, string[]>();
    const s1 = startServer(h.streams(), 'server-1', handled);
    const s2 = startServer(h.streams(), 'server-2', handled);
    await Promise.all([s1.fanout.ready(), s2.fanout.ready()]);
    let sent = 0;
    const send = async (server: typeof s1, conv: string, from: string) =>
      (await server.conv(conv).publish({ from, text: `${conv} #${++sent}` })).position;
    const fanoutSettled = async (count: number) => {
      await waitFor(() => handled.size === count, `${count} pointers handled`);
      await waitFor(async () => {
        const s = await s1.group.stats();
        return s.lag === 0 && s.pending === 0;
      }, 'fan-out group settled');
    };

    // Phase 1: Bob's phone is live on server 1; the server keeps its cursor as it delivers.
    const phone = CONVS.map((c) => new Collector(s1.conv(c).subscribe()));
    await waitFor(() => phone.every((p) => p.sub.stats.mode === 'live'), 'phone live');
    for (let i = 0; i < 4; i++)
      for (const c of CONVS) await send(i % 2 ? s1 : s2, c, MEMBERS[c]![i % MEMBERS[c]!.length]!);
    for (const p of phone) await p.waitForCount(4);
    await fanoutSettled(12);
    for (const [i, c] of CONVS.entries()) {
      const last = phone[i]!.entries.at(-1)!.position;
      await s1.cursors.set('bob', 'phone', c, last, { clearUnread: true });
    }
    expect(await s1.cursors.unread('bob', CONVS)).toEqual({
      'conv:ab': 0,
      'conv:bc': 0,
      'conv:abc': 0,
    });

    // Bob goes offline; 7 messages per conversation arrive through both instances.
    for (const p of phone) await p.stop();
    const whileAway: Record<string, string[]> = {};
    for (let i = 0; i < 7; i++)
      for (const c of CONVS) {
        const from = MEMBERS[c]![(i + 1) % MEMBERS[c]!.length]!;
        await send(i % 2 ? s2 : s1, c, from);
        (whileAway[c] ??= []).push(`${c} #${sent}`);
      }
    await fanoutSettled(33);
    for (const [pointer, by] of handled) expect(by, pointer).toHaveLength(1); // once each

    // Unread counts: messages from the others while he was away.
    const expectedUnread = Object.fromEntries(
      CONVS.map((c) => [
        c,
        Array.from({ length: 7 }, (_, i) => MEMBERS[c]![(i + 1) % MEMBERS[c]!.length]).filter(
          (f) => f !== 'bob',
        ).length,
      ]),
    );
    expect(await s2.cursors.unread('bob', CONVS)).toEqual(expectedUnread);

    // Bob comes back on server 2: exactly what he missed, in order, then live.
    for (const c of CONVS) {
      const missed = await s2.cursors.missed(s2.conv(c), 'bob', 'phone');
      expect(missed.truncated).toBeNull();
      expect(missed.entries.map((e) => e.data.text)).toEqual(whileAway[c]);
    }
    const back = await Promise.all(
      CONVS.map(async (c) => {
        const cursor = await s2.cursors.get('bob', 'phone', c);
        return new Collector(s2.conv(c).subscribe({ after: cursor! }));
      }),
    );
    for (const b of back) await b.waitForCount(7);
    await waitFor(() => back.every((b) => b.sub.stats.mode === 'live'), 'back live');
    await send(s1, 'conv:abc', 'carol');
    await back[2]!.waitForCount(8);
    for (const [i, c] of CONVS.entries())
      expect(back[i]!.data.map((m) => m.text)).toEqual([
        ...whileAway[c]!,
        ...(c === 'conv:abc' ? [`conv:abc #${sent}`] : []),
      ]);
    for (const b of back) await b.stop();
    await Promise.all([s1.fanout.close(), s2.fanout.close()]);
    expect([...handled.values()].flat().every((by) => by === 'server-1' || by === 'server-2')).toBe(
      true,
    );
  });
});
