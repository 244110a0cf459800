/**
 * Cursor and unread routes over real HTTP: a user reads and moves its own cursors (forward
 * only, clearing the unread count in the same step), reads its unread counts; another user's
 * token, a token without read access to a topic, and a viewer's write are refused; an admin may
 * read any user's and add to unread counts. The library's view agrees with every answer.
 */
import { describe, expect, it } from 'vitest';
import { call, sign, useServer } from './helpers.js';

const SECRET = 'cursor-routes-secret-0123456789abcdef';
const server = useServer({ secret: SECRET });

const bobToken = () => sign(SECRET, { sub: 'bob', topics: ['conv:*'] });

describe('cursor and unread routes', () => {
  it('reads and moves a cursor forward only; clearUnread clears in the same step', async () => {
    const s = server();
    const admin = await sign(SECRET, { role: 'admin' });
    const bob = await bobToken();
    const conv = s.ctx.streams.topic('conv:ab');
    const p1 = (await conv.publish({ text: 'hi' })).position;
    const p2 = (await conv.publish({ text: 'there' })).position;

    const none = await call(s, 'GET', '/v1/users/bob/cursors/phone?topics=conv:ab,conv:bc', {
      token: bob,
    });
    expect(none.status).toBe(200);
    expect(none.body).toEqual({
      user: 'bob',
      client: 'phone',
      cursors: { 'conv:ab': null, 'conv:bc': null },
    });

    for (let i = 0; i < 3; i++)
      expect(
        (await call(s, 'POST', '/v1/users/bob/unread/conv:ab', { token: admin })).body,
      ).toEqual({ topic: 'conv:ab', unread: i + 1 });
    const two = await call(s, 'POST', '/v1/users/bob/unread/conv:bc', {
      token: admin,
      body: { by: 2 },
    });
    expect(two.body).toEqual({ topic: 'conv:bc', unread: 2 });

    const put = await call(s, 'PUT', '/v1/users/bob/cursors/phone/conv:ab', {
      token: bob,
      body: { position: p2, clearUnread: true },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ topic: 'conv:ab', position: p2 });
    // An older position leaves the cursor where it is, and says so.
    const back = await call(s, 'PUT', '/v1/users/bob/cursors/phone/conv:ab', {
      token: bob,
      body: { position: p1 },
    });
    expect(back.body).toEqual({ topic: 'conv:ab', position: p2 });

    const read = await call(s, 'GET', '/v1/users/bob/cursors/phone?topics=conv:ab', { token: bob });
    expect(read.body.cursors).toEqual({ 'conv:ab': p2 });
    const unread = await call(s, 'GET', '/v1/users/bob/unread?topics=conv:ab,conv:bc,conv:zz', {
      token: bob,
    });
    expect(unread.status).toBe(200);
    expect(unread.body).toEqual({
      user: 'bob',
      unread: { 'conv:ab': 0, 'conv:bc': 2, 'conv:zz': 0 },
    });

    const lib = s.ctx.streams.cursors();
    expect(await lib.get('bob', 'phone', 'conv:ab')).toBe(p2);
    expect(await lib.get('bob', 'laptop', 'conv:ab')).toBeNull(); // per client
    expect(await lib.unread('bob', ['conv:ab', 'conv:bc'])).toEqual({ 'conv:ab': 0, 'conv:bc': 2 });
  });

  it("refuses another user's token, unreadable topics, viewer writes; admin reads anyone", async () => {
    const s = server();
    const bob = await bobToken();
    const alice = await sign(SECRET, { sub: 'alice', topics: ['conv:*'], publish: true });
    const viewer = await sign(SECRET, { role: 'viewer' });
    const admin = await sign(SECRET, { role: 'admin' });
    await s.ctx.streams.cursors().addUnread('bob', 'conv:ab', 4);
    const position = (await s.ctx.streams.topic('conv:ab').publish(1)).position;

    const refused = [
      await call(s, 'GET', '/v1/users/bob/unread?topics=conv:ab', { token: alice }),
      await call(s, 'GET', '/v1/users/bob/cursors/phone?topics=conv:ab', { token: alice }),
      await call(s, 'PUT', '/v1/users/bob/cursors/phone/conv:ab', {
        token: alice,
        body: { position },
      }),
      // Bob's own, but on a topic his token may not read.
      await call(s, 'GET', '/v1/users/bob/unread?topics=conv:ab,secret', { token: bob }),
      await call(s, 'PUT', '/v1/users/bob/cursors/phone/secret', {
        token: bob,
        body: { position },
      }),
      // Adding to unread counts is a backend's call.
      await call(s, 'POST', '/v1/users/bob/unread/conv:ab', { token: bob }),
      await call(s, 'POST', '/v1/users/bob/unread/conv:ab', { token: viewer }),
      await call(s, 'PUT', '/v1/users/bob/cursors/phone/conv:ab', {
        token: viewer,
        body: { position },
      }),
    ];
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('SLC_ERR_FORBIDDEN');
    }
    expect((await call(s, 'GET', '/v1/users/bob/unread?topics=conv:ab', {})).body.error.code).toBe(
      'SLC_ERR_UNAUTHORIZED',
    );
    // Nothing moved.
    expect(await s.ctx.streams.cursors().get('bob', 'phone', 'conv:ab')).toBeNull();
    expect(await s.ctx.streams.cursors().unread('bob', ['conv:ab'])).toEqual({ 'conv:ab': 4 });

    for (const token of [viewer, admin]) {
      const r = await call(s, 'GET', '/v1/users/bob/unread?topics=conv:ab', { token });
      expect(r.status).toBe(200);
      expect(r.body.unread).toEqual({ 'conv:ab': 4 });
    }
    const put = await call(s, 'PUT', '/v1/users/bob/cursors/phone/conv:ab', {
      token: admin,
      body: { position },
    });
    expect(put.body).toEqual({ topic: 'conv:ab', position });
  });

  it('refuses bad input with 400: topic lists, names, positions', async () => {
    const s = server();
    const bob = await bobToken();
    const bad = [
      await call(s, 'GET', '/v1/users/bob/unread', { token: bob }), // topics is required
      await call(s, 'GET', '/v1/users/bob/unread?topics=conv:a,,conv:b', { token: bob }),
      await call(s, 'GET', `/v1/users/bob/unread?topics=${'t,'.repeat(100)}t`, { token: bob }),
      await call(s, 'GET', '/v1/users/b%20ob/cursors/phone?topics=conv:a', { token: bob }),
      await call(s, 'GET', '/v1/users/bob/cursors/ph:one?topics=conv:a', { token: bob }),
      await call(s, 'PUT', '/v1/users/bob/cursors/phone/conv:ab', {
        token: bob,
        body: { position: 'not-a-position' },
      }),
      await call(s, 'PUT', '/v1/users/bob/cursors/phone/conv:ab', { token: bob, body: {} }),
    ];
    for (const r of bad) {
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.error.code).toMatch(/^SLC_ERR_(BAD_REQUEST|INVALID_POSITION)$/);
    }
  });
});
