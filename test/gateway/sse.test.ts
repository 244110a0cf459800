/** SSE: framing, resume (Last-Event-ID over ?after=), truncation, 204 for a gone topic, errors. */
import { describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import { SECRET, sseEntries, sseText, startServer, token, waitFor } from './helpers.js';

describe('SSE', () => {
  it('frames entries as id/event/data, with retry advice, heart-beats and the replay headers', async () => {
    const s = await startServer({ gateway: { heartbeatMs: 50, retryMs: 1234 } });
    const topic = s.ctx.streams.topic('orders');
    const first = await topic.publish({ n: 0 });
    const stream = await sseText(`${s.url}/v1/topics/orders/events?after=${first.position}`);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.res.headers.get('sluice-replay')).toBe('resumed');
    expect(stream.res.headers.get('sluice-replay-from')).toBe(first.position);
    const p1 = await topic.publish({ n: 1 });
    const p2 = await topic.publish({ n: 2 });
    await waitFor(() => sseEntries(stream.text()).length === 2, 'two entries');
    expect(sseEntries(stream.text())).toEqual([
      { id: p1.position, data: { n: 1 } },
      { id: p2.position, data: { n: 2 } },
    ]);
    expect(stream.text()).toContain('retry: 1234\n\n');
    expect(stream.text()).toMatch(/event: subscribed\ndata: \{[^\n]*"replay":"resumed"/);
    await waitFor(() => stream.text().includes(': hb\n\n'), 'a heart-beat comment');
    stream.abort();
  });

  it('without after is live only; after=0 replays from the oldest kept entry', async () => {
    const s = await startServer();
    const topic = s.ctx.streams.topic('t');
    await topic.publish('old');
    const live = await sseText(`${s.url}/v1/topics/t/events`);
    const all = await sseText(`${s.url}/v1/topics/t/events?after=0`);
    expect(live.res.headers.get('sluice-replay')).toBe('live');
    await topic.publish('new');
    await waitFor(() => sseEntries(all.text()).length === 2, 'replay + live');
    await waitFor(() => sseEntries(live.text()).length === 1, 'live entry');
    expect(sseEntries(live.text()).map((e) => e.data)).toEqual(['new']);
    expect(sseEntries(all.text()).map((e) => e.data)).toEqual(['old', 'new']);
    live.abort();
    all.abort();
  });

  it('Last-Event-ID wins over ?after=', async () => {
    const s = await startServer();
    const topic = s.ctx.streams.topic('t');
    const ps = await topic.publishBulk([1, 2, 3, 4].map((n) => ({ data: n })));
    const stream = await sseText(`${s.url}/v1/topics/t/events?after=${ps[0]!.position}`, {
      'last-event-id': ps[2]!.position,
    });
    expect(stream.res.headers.get('sluice-replay-from')).toBe(ps[2]!.position);
    await waitFor(() => sseEntries(stream.text()).length >= 1, 'an entry');
    await new Promise((r) => setTimeout(r, 100));
    expect(sseEntries(stream.text()).map((e) => e.data)).toEqual([4]);
    stream.abort();
  });

  it('an EventSource reconnect resumes from its Last-Event-ID with no gap and no duplicate', async () => {
    const s = await startServer({ gateway: { retryMs: 50 } });
    const topic = s.ctx.streams.topic('run');
    const got: { id: string; data: number }[] = [];
    const es = new EventSource(`${s.url}/v1/topics/run/events?after=0`);
    es.addEventListener('entry', (ev) =>
      got.push({ id: ev.lastEventId, data: JSON.parse(ev.data) as number }),
    );
    for (let i = 0; i < 5; i++) await topic.publish(i);
    await waitFor(() => got.length === 5, 'five entries');
    // Drop every stream from the server side; publish while the browser is away.
    const { gatewaySessions } = await import('./internals.js');
    for (const session of gatewaySessions(s.ctx)) session.end();
    for (let i = 5; i < 10; i++) await topic.publish(i);
    await waitFor(() => got.length >= 10, 'all ten entries');
    await new Promise((r) => setTimeout(r, 100));
    es.close();
    expect(got.map((g) => g.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('sends event: truncated with the first kept position when history is gone', async () => {
    const s = await startServer();
    const topic = s.ctx.streams.topic('short', { maxLen: 3 });
    const ps = await topic.publishBulk([0, 1, 2, 3, 4, 5].map((n) => ({ data: n })));
    const stream = await sseText(`${s.url}/v1/topics/short/events?after=${ps[0]!.position}`);
    expect(stream.res.headers.get('sluice-replay')).toBe('truncated');
    expect(stream.res.headers.get('sluice-replay-from')).toBe(ps[3]!.position);
    await waitFor(() => sseEntries(stream.text()).length === 3, 'the kept entries');
    const text = stream.text();
    const trunc = /event: truncated\ndata: (.*)\n/.exec(text);
    expect(JSON.parse(trunc![1]!)).toEqual({ reason: 'trimmed', firstAvailable: ps[3]!.position });
    expect(text.indexOf('event: truncated')).toBeLessThan(text.indexOf('event: entry'));
    expect(sseEntries(text).map((e) => e.data)).toEqual([3, 4, 5]);
    stream.abort();
  });

  it('answers 204 to a resume of a topic that was deleted (the client stops retrying)', async () => {
    const s = await startServer();
    const topic = s.ctx.streams.topic('gone');
    const { position } = await topic.publish('x');
    await topic.delete();
    const res = await fetch(`${s.url}/v1/topics/gone/events`, {
      headers: { 'last-event-id': position },
    });
    expect(res.status).toBe(204);
    // A live-only or from-the-start subscription to a topic not (yet) created streams.
    const live = await sseText(`${s.url}/v1/topics/gone/events?after=0`);
    expect(live.res.status).toBe(200);
    live.abort();
  });

  it('answers errors before streaming in the JSON error shape', async () => {
    const s = await startServer({ secret: SECRET });
    const none = await fetch(`${s.url}/v1/topics/t/events`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: 'SLC_ERR_UNAUTHORIZED' } });
    const t = await token({ topics: ['run:*'] });
    const wrong = await fetch(`${s.url}/v1/topics/orders/events?token=${t}`);
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: { code: 'SLC_ERR_FORBIDDEN' } });
    const bad = await fetch(`${s.url}/v1/topics/run:1/events?after=nope`, {
      headers: { authorization: `Bearer ${t}` },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'SLC_ERR_INVALID_POSITION' } });
    const ok = await sseText(`${s.url}/v1/topics/run:1/events`, { authorization: `Bearer ${t}` });
    expect(ok.res.status).toBe(200);
    ok.abort();
  });

  it('ends the stream with a token-expired event when the token expires', async () => {
    const s = await startServer({ secret: SECRET });
    // 2 s (`exp` is whole seconds): at least one second left when a loaded machine connects
    const t = await token({ topics: ['*'] }, 2);
    const stream = await sseText(`${s.url}/v1/topics/t/events?token=${t}`);
    expect(stream.res.status).toBe(200);
    await waitFor(() => stream.text().includes('event: disconnect'), 'the expiry event', 8000);
    const m = /event: disconnect\ndata: (.*)\n/.exec(stream.text());
    expect(JSON.parse(m![1]!)).toMatchObject({ code: 'SLC_ERR_TOKEN_EXPIRED' });
  });
});
