/**
 * Scenario 2, chat messaging over WebSocket: two server processes (real child processes) behind
 * one Redis. Bob's phone is connected to process A; Alice and Carol send through process B (and
 * A), and the chat backend raises the other members' unread counts over HTTP. Bob reads his
 * messages live and moves his cursors over HTTP; his phone goes offline (the socket is cut),
 * messages arrive; his unread counts are read over HTTP; he reconnects to process B with his
 * cursors and receives exactly what he missed — in order, no duplicate — then live again.
 */
import { expect, it } from 'vitest';
import type { ServerConfig } from '../../src/server/config.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';
import { forkServer, type ServerProcess } from '../gateway/child.js';
import { SECRET, WsClient, token } from '../gateway/helpers.js';

const MEMBERS: Record<string, string[]> = {
  'conv:ab': ['alice', 'bob'],
  'conv:abc': ['alice', 'bob', 'carol'],
  'conv:bc': ['bob', 'carol'],
};
const CONVS = Object.keys(MEMBERS);
const BOBS = CONVS; // Bob is in every conversation

interface Entry {
  topic: string;
  position: string;
  data: { from: string; text: string };
}

async function http(
  server: ServerProcess,
  method: string,
  path: string,
  bearer: string,
  body?: unknown,
) {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Loose };
}

function client(server: ServerProcess, bearer: string): WsClient {
  return new WsClient(server.ws, { headers: { authorization: `Bearer ${bearer}` } });
}

// Answers are checked by the assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const entries = (c: WsClient, topic?: string) => c.of('entry', topic) as unknown as Entry[];

it('chat over WebSocket across two processes: offline, unread over HTTP, exact catch-up, live', async () => {
  const config: ServerConfig = {
    redisUrl: redisUrl(),
    prefix: uniquePrefix(),
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    secret: SECRET,
  };
  const [a, b] = await Promise.all([forkServer(config), forkServer(config)]);
  const backend = await token({ role: 'admin' });
  const bob = await token({ sub: 'bob', topics: ['conv:*'], publish: true });
  const people = {
    alice: await token({ sub: 'alice', topics: ['conv:ab', 'conv:abc'], publish: true }),
    carol: await token({ sub: 'carol', topics: ['conv:abc', 'conv:bc'], publish: true }),
  };
  // Senders: Alice on B, Carol on A (messages come in through both processes).
  const senders = { alice: client(b, people.alice), carol: client(a, people.carol) };
  await Promise.all(Object.values(senders).map((s) => s.opened));

  let sent = 0;
  const texts: Record<string, string[]> = {};
  /** One message: published over the sender's socket, then the backend counts it unread. */
  const say = async (from: 'alice' | 'carol', conv: string) => {
    const text = `${conv} #${++sent} from ${from}`;
    const id = `m${sent}`;
    senders[from].send({ type: 'publish', topic: conv, id, data: { from, text } });
    const ack = await waitFor(() => senders[from].messages.find((m) => m.id === id), id);
    expect(ack).toMatchObject({ type: 'published', topic: conv, duplicate: false });
    const via = from === 'alice' ? b : a;
    for (const member of MEMBERS[conv]!)
      if (member !== from)
        expect(
          (await http(via, 'POST', `/v1/users/${member}/unread/${conv}`, backend)).status,
        ).toBe(200);
    (texts[conv] ??= []).push(text);
  };
  /** The i-th sender of a conversation: its members other than Bob, in turn. */
  const fromOf = (conv: string, i: number) => {
    const others = MEMBERS[conv]!.filter((m) => m !== 'bob') as ('alice' | 'carol')[];
    return others[i % others.length]!;
  };

  // Phase 1: Bob's phone on A. No cursor yet: it subscribes from the start of each conversation.
  const first = await http(a, 'GET', `/v1/users/bob/cursors/phone?topics=${BOBS.join(',')}`, bob);
  expect(first.body.cursors).toEqual({ 'conv:ab': null, 'conv:abc': null, 'conv:bc': null });
  const phone = client(a, bob);
  await phone.opened;
  for (const conv of BOBS)
    expect(await phone.subscribe(conv, first.body.cursors[conv] ?? '0')).toMatchObject({
      type: 'subscribed',
      replay: 'resumed',
      recovered: true,
    });
  for (let i = 0; i < 3; i++) for (const conv of CONVS) await say(fromOf(conv, i), conv);
  await waitFor(() => entries(phone).length === 9, 'phone got 9 live');
  // He reads them: the phone moves its cursors and clears the unread counts (over HTTP, on A).
  for (const conv of BOBS) {
    const last = entries(phone, conv).at(-1)!.position;
    const put = await http(a, 'PUT', `/v1/users/bob/cursors/phone/${conv}`, bob, {
      position: last,
      clearUnread: true,
    });
    expect(put.body).toEqual({ topic: conv, position: last });
  }
  const read = await http(b, 'GET', `/v1/users/bob/unread?topics=${BOBS.join(',')}`, bob);
  expect(read.body.unread).toEqual({ 'conv:ab': 0, 'conv:abc': 0, 'conv:bc': 0 });
  for (const conv of BOBS)
    expect(entries(phone, conv).map((e) => e.data.text)).toEqual(texts[conv]);
  const seen = Object.fromEntries(BOBS.map((c) => [c, texts[c]!.length]));

  // Bob goes offline: the network drops (no close handshake). Messages arrive meanwhile.
  phone.socket.terminate();
  for (let i = 0; i < 5; i++) for (const conv of CONVS) await say(fromOf(conv, i + 1), conv);
  const missed = Object.fromEntries(BOBS.map((c) => [c, texts[c]!.slice(seen[c])]));

  // Unread counts over HTTP, on either process; only Bob (or an admin) may read his.
  const unread = await http(a, 'GET', `/v1/users/bob/unread?topics=${BOBS.join(',')}`, bob);
  expect(unread.status).toBe(200);
  expect(unread.body.unread).toEqual({ 'conv:ab': 5, 'conv:abc': 5, 'conv:bc': 5 });
  const aliceUnread = await http(
    b,
    'GET',
    '/v1/users/alice/unread?topics=conv:ab,conv:abc',
    people.alice,
  );
  expect(aliceUnread.body.unread).toEqual({ 'conv:ab': 0, 'conv:abc': 8 - 4 }); // Carol's in abc
  const nosy = await http(b, 'GET', '/v1/users/bob/unread?topics=conv:ab', people.alice);
  expect(nosy.status).toBe(403);

  // Bob comes back on the OTHER process with his cursors: exactly what he missed, then live.
  const cursors = await http(b, 'GET', `/v1/users/bob/cursors/phone?topics=${BOBS.join(',')}`, bob);
  const back = client(b, bob);
  await back.opened;
  for (const conv of BOBS)
    expect(await back.subscribe(conv, cursors.body.cursors[conv])).toMatchObject({
      type: 'subscribed',
      replay: 'resumed',
      from: cursors.body.cursors[conv],
      recovered: true,
    });
  await waitFor(() => entries(back).length === 15, 'back: 15 missed');
  for (const conv of BOBS)
    expect(
      entries(back, conv).map((e) => e.data.text),
      conv,
    ).toEqual(missed[conv]);
  // Live again: a message through process A reaches him on B, once.
  await say('carol', 'conv:bc');
  await waitFor(() => entries(back, 'conv:bc').length === 6, 'live after catch-up');
  expect(entries(back, 'conv:bc').map((e) => e.data.text)).toEqual([
    ...missed['conv:bc']!,
    texts['conv:bc']!.at(-1),
  ]);
  // A round trip on the socket: nothing else (no duplicate) was on its way.
  back.send({ type: 'ping', id: 'last' });
  await waitFor(() => back.messages.find((m) => m.id === 'last'), 'pong');
  expect(entries(back)).toHaveLength(16);
  const positions = entries(back).map((e) => e.position);
  expect(new Set(positions).size).toBe(16);

  // He reads them: cursor moved on B, unread cleared, seen from A.
  const last = entries(back, 'conv:bc').at(-1)!.position;
  await http(b, 'PUT', '/v1/users/bob/cursors/phone/conv:bc', bob, {
    position: last,
    clearUnread: true,
  });
  const after = await http(a, 'GET', `/v1/users/bob/unread?topics=${BOBS.join(',')}`, bob);
  expect(after.body.unread).toEqual({ 'conv:ab': 5, 'conv:abc': 5, 'conv:bc': 0 });
  await Promise.all([a.close(), b.close()]);
}, 60_000);
