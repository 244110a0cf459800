/** WebSocket: many topics per socket, recovered yes/no, publish, auth, expiry, dead peers. */
import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../src/server/gateway/codes.js';
import { SECRET, WsClient, startServer, token, waitFor } from './helpers.js';

describe('WebSocket', () => {
  it('subscribes to several topics on one socket, each with after, and unsubscribes', async () => {
    const s = await startServer();
    const a = s.ctx.streams.topic('a');
    const b = s.ctx.streams.topic('b');
    const a0 = await a.publish('a0');
    await b.publish('b0');
    const c = new WsClient(s.ws);
    await c.opened;
    expect(await c.subscribe('a', a0.position)).toMatchObject({
      type: 'subscribed',
      topic: 'a',
      replay: 'resumed',
      recovered: true,
      from: a0.position,
    });
    expect(await c.subscribe('b')).toMatchObject({
      type: 'subscribed',
      replay: 'live',
      recovered: false,
    });
    const a1 = await a.publish('a1');
    await b.publish('b1');
    await waitFor(
      () => c.of('entry', 'a').length === 1 && c.of('entry', 'b').length === 1,
      'entries',
    );
    expect(c.of('entry', 'a')[0]).toMatchObject({ topic: 'a', position: a1.position, data: 'a1' });
    expect(c.of('entry', 'b')[0]).toMatchObject({ topic: 'b', data: 'b1' });
    c.send({ type: 'unsubscribe', topic: 'b' });
    await c.next('unsubscribed', 'b');
    await b.publish('b2');
    await a.publish('a2');
    await waitFor(() => c.of('entry', 'a').length === 2, 'a2');
    await new Promise((r) => setTimeout(r, 100));
    expect(c.of('entry', 'b')).toHaveLength(1);
  });

  it('answers recovered: false with the first kept position when history is gone', async () => {
    const s = await startServer();
    const t = s.ctx.streams.topic('short', { maxLen: 2 });
    const ps = await t.publishBulk([0, 1, 2, 3].map((n) => ({ data: n })));
    const c = new WsClient(s.ws);
    await c.opened;
    expect(await c.subscribe('short', ps[0]!.position)).toMatchObject({
      replay: 'truncated',
      recovered: false,
      from: ps[2]!.position,
    });
    await waitFor(() => c.of('entry', 'short').length === 2, 'kept entries');
    expect(c.of('truncated', 'short')[0]).toMatchObject({
      reason: 'trimmed',
      firstAvailable: ps[2]!.position,
    });
    expect(c.of('entry', 'short').map((m) => m.data)).toEqual([2, 3]);
  });

  it('publishes where the token allows it, refuses elsewhere', async () => {
    const s = await startServer({ secret: SECRET });
    const t = await token({ topics: ['chat:*'], publish: ['chat:1'] });
    const c = new WsClient(`${s.ws}?token=${t}`);
    await c.opened;
    c.send({ type: 'publish', topic: 'chat:1', data: { text: 'hi' }, idempotencyKey: 'm1', id: 1 });
    const published = await c.next('published');
    expect(published).toMatchObject({ topic: 'chat:1', id: 1, duplicate: false });
    const page = await s.ctx.streams.topic('chat:1').range({ after: '0' });
    expect(page.entries.map((e) => [e.position, e.data])).toEqual([
      [published.position, { text: 'hi' }],
    ]);
    c.send({ type: 'publish', topic: 'chat:2', data: 'no', id: 2 });
    expect(await c.next('error')).toMatchObject({
      code: 'SLC_ERR_FORBIDDEN',
      topic: 'chat:2',
      id: 2,
    });
    expect((await s.ctx.streams.topic('chat:2').info()).exists).toBe(false);
  });

  it('never sends an entry of a topic the token does not name', async () => {
    const s = await startServer({ secret: SECRET });
    const t = await token({ topics: ['run:*'] });
    const c = new WsClient(s.ws);
    await c.opened;
    c.send({ type: 'auth', token: t });
    await c.next('authenticated');
    const reply = await c.subscribe('orders', '0');
    expect(reply).toMatchObject({ type: 'error', code: 'SLC_ERR_FORBIDDEN', topic: 'orders' });
    await s.ctx.streams.topic('orders').publish('secret');
    expect(await c.subscribe('run:1')).toMatchObject({ type: 'subscribed' });
    await s.ctx.streams.topic('run:1').publish('visible');
    await c.next('entry', 'run:1');
    expect(c.of('entry').map((m) => m.topic)).toEqual(['run:1']);
  });

  it('takes an auth and the subscribe sent right behind it in order (one write, as onopen does)', async () => {
    const s = await startServer({ secret: SECRET });
    const t = await token({ topics: ['feed'] });
    const c = new WsClient(s.ws);
    await c.opened;
    c.send({ type: 'auth', token: t, id: 1 });
    c.send({ type: 'subscribe', topic: 'feed', id: 2 });
    c.send({ type: 'ping', id: 3 });
    expect(await c.next('subscribed', 'feed')).toMatchObject({ id: 2, replay: 'live' });
    await c.next('pong');
    // the subscribe and the ping waited for the auth
    expect(c.messages[0]).toMatchObject({ type: 'authenticated', id: 1 });
    expect(c.messages.map((m) => m.type).sort()).toEqual(['authenticated', 'pong', 'subscribed']);
    await s.ctx.streams.topic('feed').publish('hello');
    expect(await c.next('entry', 'feed')).toMatchObject({ data: 'hello' });
    expect(c.closed).toBeUndefined();
  });

  it('refuses a bad token at the upgrade, and closes 4001 without an auth message in time', async () => {
    const s = await startServer({ secret: SECRET, gateway: { authTimeoutMs: 100 } });
    const bad = new WsClient(s.ws, { headers: { authorization: 'Bearer nope' } });
    await expect(bad.opened).rejects.toThrow('HTTP 401');
    const silent = new WsClient(s.ws);
    await silent.opened;
    await waitFor(() => silent.closed, 'the close');
    expect(silent.closed!.code).toBe(CLOSE.unauthorized);
    const early = new WsClient(s.ws);
    await early.opened;
    early.send({ type: 'subscribe', topic: 'x' });
    await waitFor(() => early.closed, 'the close');
    expect(early.closed!.code).toBe(CLOSE.unauthorized);
  });

  it('closes with 4003 when the token expires, after a fresh auth it lives on', async () => {
    const s = await startServer({ secret: SECRET });
    // 2 s (`exp` is whole seconds): at least one second left when a loaded machine connects
    const short = await token({ topics: ['*'] }, 2);
    const c = new WsClient(`${s.ws}?token=${short}`);
    await c.opened;
    await c.subscribe('t');
    const renewed = new WsClient(`${s.ws}?token=${short}`);
    await renewed.opened;
    renewed.send({ type: 'auth', token: await token({ topics: ['*'] }, 60) });
    await renewed.next('authenticated');
    await waitFor(() => c.closed, 'the expiry close', 8000);
    expect(c.closed!.code).toBe(CLOSE.tokenExpired);
    expect(c.of('error')[0]).toMatchObject({ code: 'SLC_ERR_TOKEN_EXPIRED' });
    expect(renewed.closed).toBeUndefined();
  });

  it('drops a peer that answers no ping, keeps one that does', async () => {
    const s = await startServer({ gateway: { heartbeatMs: 50, deadPeerMs: 200 } });
    const dead = new WsClient(s.ws, { autoPong: false });
    const alive = new WsClient(s.ws);
    await Promise.all([dead.opened, alive.opened]);
    await waitFor(() => dead.closed, 'the dead peer dropped', 5000);
    expect(alive.closed).toBeUndefined();
    alive.send({ type: 'ping', id: 7 });
    expect(await alive.next('pong')).toMatchObject({ id: 7 });
  });

  it('answers malformed messages with an error and keeps the socket', async () => {
    const s = await startServer();
    const c = new WsClient(s.ws);
    await c.opened;
    c.socket.send('not json');
    expect(await c.next('error')).toMatchObject({ code: 'SLC_ERR_BAD_REQUEST' });
    c.send({ type: 'subscribe', topic: 'bad name!' });
    expect(await c.next('error', undefined, 1)).toMatchObject({ code: 'SLC_ERR_INVALID_NAME' });
    c.send({ type: 'subscribe', topic: 't', after: 'nope' });
    expect(await c.next('error', undefined, 2)).toMatchObject({ code: 'SLC_ERR_INVALID_POSITION' });
    expect(await c.subscribe('t')).toMatchObject({ type: 'subscribed' });
  });

  it('closes with 1001 (going away) when the server shuts down', async () => {
    const s = await startServer();
    const c = new WsClient(s.ws);
    await c.opened;
    await c.subscribe('t');
    const closing = s.app.close();
    await waitFor(() => c.closed, 'the close');
    expect(c.closed!.code).toBe(CLOSE.goingAway);
    expect(c.of('error')[0]).toMatchObject({ code: 'SLC_ERR_CLOSED', resume: { t: null } });
    await closing;
  });
});

describe('the WebSocket endpoint over plain HTTP', () => {
  it('answers 426 in the wire shape (no upgrade asked)', async () => {
    const s = await startServer();
    const r = await fetch(s.ws.replace('ws:', 'http:'));
    expect(r.status).toBe(426);
    expect(r.headers.get('upgrade')).toBe('websocket');
    expect(await r.json()).toEqual({
      error: { code: 'SLC_ERR_BAD_REQUEST', message: 'this endpoint takes a WebSocket upgrade' },
    });
  });
});

describe('ephemeral topics over HTTP', () => {
  it('a publish reaches the live subscribers (no position); there are no entries to page', async () => {
    const s = await startServer();
    const c = new WsClient(s.ws);
    await c.opened;
    expect(await c.subscribe('eph:cursor')).toMatchObject({ replay: 'ephemeral' });
    const post = (body: unknown) =>
      fetch(`${s.url}/v1/topics/eph:cursor`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const r = await post({ data: { x: 1 } });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ position: null, duplicate: false, receivers: 1 });
    expect(await c.next('entry', 'eph:cursor')).toMatchObject({ data: { x: 1 } });
    // nothing kept: no durable stream was written
    expect((await s.ctx.streams.topic('eph:cursor').info()).exists).toBe(false);
    const keyed = await post({ data: 2, idempotencyKey: 'k1' });
    expect(keyed.status).toBe(400);
    expect(((await keyed.json()) as { error: { code: string } }).error.code).toBe(
      'SLC_ERR_BAD_REQUEST',
    );
    // the same over the socket: a key needs a durable topic
    c.send({ type: 'publish', topic: 'eph:cursor', data: 3, idempotencyKey: 'k2', id: 9 });
    expect(await c.next('error')).toMatchObject({ code: 'SLC_ERR_BAD_REQUEST', id: 9 });
    const page = await fetch(`${s.url}/v1/topics/eph:cursor/entries`);
    expect(page.status).toBe(400);
    expect(((await page.json()) as { error: { message: string } }).error.message).toContain(
      'keeps no history',
    );
  });
});
