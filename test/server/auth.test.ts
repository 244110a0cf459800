/** Auth on the admin and topic routes, with a secret: tokens signed by jose's SignJWT. */
import { describe, expect, it } from 'vitest';
import { call, sign, useServer } from './helpers.js';

const SECRET = 'test-secret-that-is-long-enough-0123456789';
const server = useServer({ secret: SECRET });

async function code(r: Promise<{ status: number; body: { error?: { code: string } } }>) {
  const a = await r;
  return `${a.status} ${a.body.error?.code ?? 'ok'}`;
}

describe('auth', () => {
  it('answers 401 without a token, with a bad one, and TOKEN_EXPIRED for an expired one', async () => {
    const s = server();
    const expired = await sign(SECRET, { role: 'admin' }, -60);
    const forged = await sign('another-secret-another-secret-0000', { role: 'admin' });
    for (const path of ['/v1/queues', '/v1/topics', '/v1/topics/t', '/v1/topics/t/entries']) {
      expect(await code(call(s, 'GET', path)), path).toBe('401 SLC_ERR_UNAUTHORIZED');
      expect(await code(call(s, 'GET', path, { token: forged }))).toBe('401 SLC_ERR_UNAUTHORIZED');
      expect(await code(call(s, 'GET', path, { token: 'not.a.jwt' }))).toBe(
        '401 SLC_ERR_UNAUTHORIZED',
      );
      expect(await code(call(s, 'GET', path, { token: expired }))).toBe(
        '401 SLC_ERR_TOKEN_EXPIRED',
      );
    }
    expect(
      await code(call(s, 'POST', '/v1/queues/q/jobs', { body: { data: 1 }, token: expired })),
    ).toBe('401 SLC_ERR_TOKEN_EXPIRED');
  });

  it('lets an admin do everything, a viewer only read, others nothing on queues', async () => {
    const s = server();
    const admin = await sign(SECRET, { role: 'admin', sub: 'ops' });
    const viewer = await sign(SECRET, { role: 'viewer' });
    const reader = await sign(SECRET, { topics: ['*'], publish: true });
    const add = { body: { data: 1, id: 'j1' } };
    expect(await code(call(s, 'POST', '/v1/queues/q/jobs', { ...add, token: admin }))).toBe(
      '201 ok',
    );
    expect(await code(call(s, 'GET', '/v1/queues/q', { token: viewer }))).toBe('200 ok');
    expect(await code(call(s, 'GET', '/v1/queues/q/jobs/j1', { token: viewer }))).toBe('200 ok');
    for (const [method, path] of [
      ['POST', '/v1/queues/q/jobs'],
      ['POST', '/v1/queues/q/pause'],
      ['POST', '/v1/queues/q/clear'],
      ['DELETE', '/v1/queues/q/jobs/j1'],
    ] as const) {
      expect(await code(call(s, method, path, { ...add, token: viewer })), path).toBe(
        '403 SLC_ERR_FORBIDDEN',
      );
      expect(await code(call(s, method, path, { ...add, token: reader }))).toBe(
        '403 SLC_ERR_FORBIDDEN',
      );
    }
    expect(await code(call(s, 'GET', '/v1/queues', { token: reader }))).toBe(
      '403 SLC_ERR_FORBIDDEN',
    );
    // Nothing the refused calls asked for happened.
    const q = s.ctx.queues.get('q');
    expect((await q.getJob('j1'))?.state).toBe('waiting');
    expect(await q.isPaused()).toBe(false);
  });

  it('checks topic grants: read for info and entries, publish for publishing', async () => {
    const s = server();
    const runs = await sign(SECRET, { topics: ['run:*'] });
    const pub = await sign(SECRET, { topics: ['run:*'], publish: ['run:1'] });
    const viewer = await sign(SECRET, { role: 'viewer' });
    const admin = await sign(SECRET, { role: 'admin' });
    expect(await code(call(s, 'POST', '/v1/topics/run:1', { body: { data: 1 }, token: pub }))).toBe(
      '201 ok',
    );
    expect(await code(call(s, 'POST', '/v1/topics/run:2', { body: { data: 1 }, token: pub }))).toBe(
      '403 SLC_ERR_FORBIDDEN',
    );
    expect(
      await code(call(s, 'POST', '/v1/topics/run:1', { body: { data: 1 }, token: runs })),
    ).toBe('403 SLC_ERR_FORBIDDEN');
    expect(
      await code(call(s, 'POST', '/v1/topics/run:1', { body: { data: 1 }, token: viewer })),
    ).toBe('403 SLC_ERR_FORBIDDEN');
    expect(await code(call(s, 'GET', '/v1/topics/run:1/entries', { token: runs }))).toBe('200 ok');
    expect(await code(call(s, 'GET', '/v1/topics/run:1', { token: runs }))).toBe('200 ok');
    expect(await code(call(s, 'GET', '/v1/topics/other', { token: runs }))).toBe(
      '403 SLC_ERR_FORBIDDEN',
    );
    expect(await code(call(s, 'GET', '/v1/topics/other/entries', { token: runs }))).toBe(
      '403 SLC_ERR_FORBIDDEN',
    );
    expect(await code(call(s, 'GET', '/v1/topics', { token: runs }))).toBe('403 SLC_ERR_FORBIDDEN');
    expect(await code(call(s, 'GET', '/v1/topics', { token: viewer }))).toBe('200 ok');
    expect(await code(call(s, 'GET', '/v1/topics/other', { token: admin }))).toBe('200 ok');
    // One entry only: the refused publishes appended nothing.
    expect((await s.ctx.streams.topic('run:1').info()).length).toBe(1);
    expect((await s.ctx.streams.topic('run:2').info()).exists).toBe(false);
  });

  it('takes ?token= on GET but not on POST', async () => {
    const s = server();
    const admin = await sign(SECRET, { role: 'admin' });
    expect(await code(call(s, 'GET', `/v1/topics/x/entries?token=${admin}`))).toBe('200 ok');
    expect(await code(call(s, 'POST', `/v1/topics/x?token=${admin}`, { body: { data: 1 } }))).toBe(
      '401 SLC_ERR_UNAUTHORIZED',
    );
  });
});
