/**
 * Seed scenario 3, workflow events in a real browser: headless Chromium (Debian's `chromium`,
 * driven by playwright-core) opens a page served by the test server that renders a run's events
 * live from SSE with the browser's own EventSource. The test publishes node outputs, reloads the
 * page mid-run, takes the network down (offline emulation, and every stream dropped meanwhile)
 * and up again; the page ends with every event exactly once, in order, and the run's topic
 * expires after it completes. The same page on a Pub/Sub topic shows live events and says it
 * has no history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../harness/chromium.js';
import type { App } from '../../src/server/types.js';
import { gatewaySessions } from '../gateway/internals.js';
import { startServer, waitFor } from '../gateway/helpers.js';

const PAGE = `<!doctype html><meta charset="utf-8"><title>run</title>
<p id="mode">connecting</p><ol id="log"></ol>
<script>
  const topic = new URLSearchParams(location.search).get('topic');
  const es = new EventSource('/v1/topics/' + encodeURIComponent(topic) + '/events?after=0');
  es.addEventListener('subscribed', (ev) => {
    const r = JSON.parse(ev.data);
    document.getElementById('mode').textContent =
      r.replay === 'ephemeral' ? 'live only: this topic has no history' : 'replay ' + r.replay;
  });
  es.addEventListener('entry', (ev) => {
    const li = document.createElement('li');
    li.textContent = JSON.parse(ev.data).node;
    document.getElementById('log').append(li);
  });
</script>`;

function page(app: App): void {
  app.get('/test/run.html', async (_req, reply) => reply.type('text/html').send(PAGE));
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const rendered = (p: Page) => p.$$eval('#log li', (lis) => lis.map((li) => li.textContent));

describe('workflow events in a browser', () => {
  it('renders every event once, in order, across a reload and a network outage; the run expires', async () => {
    const s = await startServer({ gateway: { retryMs: 200 }, routes: page });
    const run = s.ctx.streams.topic<{ node: string }>('run:42', { ttlMs: 1500 });
    const nodes = Array.from({ length: 30 }, (_, i) => `node-${i}`);
    const context = await browser.newContext();
    const p = await context.newPage();
    await p.goto(`${s.url}/test/run.html?topic=run:42`);
    await waitFor(async () => (await p.textContent('#mode'))?.startsWith('replay'), 'subscribed');

    for (const node of nodes.slice(0, 10)) await run.publish({ node });
    await waitFor(async () => (await rendered(p)).length === 10, 'first ten');
    await p.reload();
    for (const node of nodes.slice(10, 20)) await run.publish({ node });
    await waitFor(async () => (await rendered(p)).length === 20, 'twenty after the reload');

    // The network goes down: every stream drops, events are published while the page is away.
    await context.setOffline(true);
    for (const session of gatewaySessions(s.ctx)) session.end();
    for (const node of nodes.slice(20, 25)) await run.publish({ node });
    await new Promise((r) => setTimeout(r, 600)); // a few failed reconnects
    await context.setOffline(false);
    for (const node of nodes.slice(25)) await run.publish({ node });
    await waitFor(async () => (await rendered(p)).length >= 30, 'all thirty', 15_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(await rendered(p)).toEqual(nodes);

    // The run is complete: its topic expires (TTL) and a resume of it is told to stop (204).
    const last = (await run.latest(1))[0]!.position;
    await waitFor(async () => !(await run.info()).exists, 'the run topic to expire', 10_000);
    const res = await fetch(`${s.url}/v1/topics/run:42/events`, {
      headers: { 'last-event-id': last },
    });
    expect(res.status).toBe(204);
    await context.close();
  });

  it('on a Pub/Sub topic shows live events and says it has no history', async () => {
    const s = await startServer({ gateway: { ephemeralPrefixes: ['live:'] }, routes: page });
    const ticker = s.ctx.streams.ephemeral<{ node: string }>('live:run-7');
    await ticker.publish({ node: 'before' }); // nobody listens: gone
    const context = await browser.newContext();
    const p = await context.newPage();
    await p.goto(`${s.url}/test/run.html?topic=live:run-7`);
    await waitFor(async () => (await p.textContent('#mode'))?.includes('no history'), 'the notice');
    await waitFor(async () => (await ticker.publish({ node: 'probe' })).receivers > 0, 'receivers');
    await ticker.publish({ node: 'a' });
    await ticker.publish({ node: 'b' });
    await waitFor(async () => (await rendered(p)).includes('b'), 'live events');
    const shown = (await rendered(p)).filter((n) => n !== 'probe');
    expect(shown).toEqual(['a', 'b']);
    await context.close();
  });
});
