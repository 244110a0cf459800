/**
 * The built dashboard in headless Chromium (Debian's `chromium` + playwright-core) against a real
 * server and Redis: every view renders real data, actions change Redis state (checked through the
 * library, not the page), a viewer token cannot act, the live chart moves while a worker runs.
 * Screenshots of each view go to test-results/dashboard/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../harness/chromium.js';
import { Worker } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { sign, startServer, type TestServer } from '../server/helpers.js';

const SECRET = 'browser-secret';
const SHOTS = 'test-results/dashboard';
/** The dashboard's `--bad` colour, as the browser computes it. */
const RED = 'rgb(198, 47, 42)';

/** The browser's own function, called inside `$eval` (this file is typed without the DOM lib). */
declare function getComputedStyle(el: unknown): { color: string };

/** The computed colour of a count card's figure. */
function countColor(page: Page, key: string): Promise<string> {
  return page.$eval(`dd[data-count=${key}]`, (el) => getComputedStyle(el).color);
}

let browser: Browser;
let server: TestServer;
const workers: Worker[] = [];

beforeAll(async () => {
  // `npm test` builds first; build here only when run alone (a rebuild while other test files
  // read dist/dashboard would pull the files from under them).
  if (!existsSync('dist/dashboard/index.html'))
    execFileSync('node', ['scripts/build-dashboard.mjs']);
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  server = await startServer({ secret: SECRET });
}, 60_000);

afterAll(async () => {
  for (const w of workers) await w.close(0);
  await browser?.close();
  await server?.close();
});

function worker(name: string, fn: (data: unknown) => Promise<unknown>): Worker {
  const w = new Worker(name, async (job) => fn(job.data), {
    connection: server.config.redisUrl,
    prefix: server.config.prefix,
  });
  w.on('error', () => {});
  workers.push(w);
  return w;
}

/** Opens the dashboard and signs in with `token`. */
async function signIn(token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Fail on the step that stuck, naming its selector, well inside the test's own timeout.
  page.setDefaultTimeout(10_000);
  await page.goto(server.url + '/');
  await page.fill('textarea[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('header.top');
  return page;
}

const go = (page: Page, hash: string) =>
  page.evaluate((h) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = h;
  }, hash);

async function confirm(page: Page, label: string): Promise<void> {
  await page.click(`button:text-is("${label}")`);
  await page.click(`.modal button:text-is("Yes, ${label.toLowerCase()}")`);
}

describe('dashboard in Chromium', () => {
  it("links its assets by exact paths the server serves (the build's index.html)", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(server.url + '/');
      const hrefs = await page.$$eval('link[rel=stylesheet], script[src]', (els) =>
        els.map((el) => el.getAttribute('href') ?? el.getAttribute('src') ?? ''),
      );
      expect(hrefs).toHaveLength(2);
      for (const href of hrefs) {
        // the attribute as written, no stray whitespace: a client that does not trim gets a 404
        expect(href).toMatch(/^\.\/assets\/[\w.-]+\.(css|js)$/);
        // (the page's own request client: closed with the page, it keeps no socket open)
        expect((await page.request.get(new URL(href, server.url + '/').href)).status()).toBe(200);
      }
    } finally {
      await page.close();
    }
  });

  it('renders every view with real data, and its actions change Redis', async () => {
    const emails = server.ctx.queues.get('emails');
    const sms = server.ctx.queues.get('sms');
    await emails.addBulk(
      [1, 2, 3].map((i) => ({
        name: 'welcome',
        data: { to: `u${i}@x.io` },
        opts: { id: `e${i}`, maxAttempts: 1, meta: { account: `acct-${i}` } },
      })),
    );
    const w = worker('emails', async () => {
      throw new Error('smtp refused');
    });
    await waitFor(async () => (await emails.stats()).failed === 3, 'three failed');
    await w.close(0);
    await sms.add('text', { body: 'later' }, { id: 's1', delay: 3_600_000 });
    await sms.add('text', { body: 'now' }, { id: 's2' });
    const topic = server.ctx.streams.topic('orders');
    await topic.publish({ order: 1 });
    await topic.group('billing').create();

    const page = await signIn(await sign(SECRET, { role: 'admin', sub: 'ops' }));
    await page.waitForSelector('tr[data-queue=emails]');
    await page.waitForSelector('tr[data-queue=sms]');
    expect(await page.textContent('tr[data-queue=emails]')).toContain('3');
    await page.waitForSelector('tr[data-topic=orders]');
    await page.screenshot({ path: `${SHOTS}/overview.png` });

    // Queue view: the failed jobs, search by meta field.
    await go(page, '#/queues/emails?state=failed');
    await page.waitForSelector('tr[data-job=e1]');
    await page.selectOption('select[aria-label="search field"]', 'meta');
    await page.fill('input[aria-label="meta key"]', 'account');
    await page.fill('input[aria-label="search text"]', 'acct-2');
    await page.click('.search button[type=submit]');
    await page.waitForSelector('.search tr[data-job=e2]');
    expect(await page.locator('.search tr[data-job]').count()).toBe(1);
    await page.waitForSelector('figure[data-chart^="Last hour"]');
    expect(await countColor(page, 'failed')).toBe(RED); // 3 failed: red
    await page.screenshot({ path: `${SHOTS}/queue.png`, fullPage: true });

    // Job view: attempts with the error and stack.
    await go(page, '#/queues/emails/jobs/e1');
    await page.waitForSelector('.attempt');
    expect(await page.textContent('.attempt')).toContain('smtp refused');
    expect(await page.textContent('pre.stack')).toContain('Error: smtp refused');
    await page.screenshot({ path: `${SHOTS}/job.png`, fullPage: true });
    await confirm(page, 'Retry');
    await waitFor(async () => (await emails.getJob('e1'))?.state === 'waiting', 'e1 retried');

    // Bulk: select the rest and remove them, with a progress bar.
    await go(page, '#/queues/emails?state=failed');
    await page.waitForSelector('tr[data-job=e2]');
    await page.check('input[aria-label="select job e2"]');
    await page.check('input[aria-label="select job e3"]');
    await confirm(page, 'Remove selected');
    await page.waitForSelector('.progress[aria-valuenow="100"]');
    expect((await emails.getJobs('failed')).total).toBe(0);
    expect(await emails.getJob('e2')).toBeUndefined();

    // Pause / resume with confirmation.
    await confirm(page, 'Pause');
    await waitFor(() => emails.isPaused(), 'paused');
    await page.waitForSelector('button:text-is("Resume")');
    await confirm(page, 'Resume');
    await waitFor(async () => !(await emails.isPaused()), 'resumed');

    // Promote a delayed job.
    await go(page, '#/queues/sms/jobs/s1');
    await page.waitForSelector('button:text-is("Promote")');
    await confirm(page, 'Promote');
    await waitFor(async () => (await sms.getJob('s1'))?.state === 'waiting', 's1 promoted');

    // Clear across the UI.
    await go(page, '#/queues/sms');
    await page.waitForSelector('button:text-is("Clear")');
    await confirm(page, 'Clear');
    await waitFor(async () => (await sms.stats()).waiting === 0, 'sms cleared');

    // Topic: groups and a live tail with pause / resume (resumes with no gap).
    await go(page, '#/topics/orders');
    await page.waitForSelector('.dot.on');
    await topic.publish({ order: 2 });
    await page.waitForSelector('.tail li:has-text("\\"order\\":2")');
    // the cards follow the tail (before: they kept the figures of the page's first load)
    await page.waitForSelector('dd[data-count=added]:text-is("2")');
    await page.click('button:text-is("Pause")');
    await topic.publish({ order: 3 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.locator('.tail li').allTextContents()).toHaveLength(1);
    await page.click('button:text-is("Resume")');
    await page.waitForSelector('.tail li:has-text("\\"order\\":3")');
    expect(await page.locator('.tail li').allTextContents()).toHaveLength(2);
    await page.screenshot({ path: `${SHOTS}/topic.png`, fullPage: true });
    await page.close();
  });

  it('moves the live chart while a worker runs', async () => {
    const q = server.ctx.queues.get('busy');
    await q.add('x', 0);
    const page = await signIn(await sign(SECRET, { role: 'admin' }));
    const chart = page.locator('figure[data-chart="Throughput, all queues"]');
    await page.waitForSelector('tr[data-queue=busy]');
    worker('busy', async () => {});
    const feed = setInterval(
      () => void q.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'x', data: i }))),
      200,
    );
    try {
      await waitFor(
        async () => Number(await chart.getAttribute('data-last')) > 0,
        'a rate above 0',
      );
      const before = Number(await chart.getAttribute('data-points'));
      await waitFor(
        async () => Number(await chart.getAttribute('data-points')) >= before + 2,
        'more points',
      );
    } finally {
      clearInterval(feed);
    }
    await page.screenshot({ path: `${SHOTS}/overview-live.png` });
    await page.close();
  });

  it('shows a viewer no action, and the server refuses its actions', async () => {
    const q = server.ctx.queues.get('emails');
    const token = await sign(SECRET, { role: 'viewer' });
    const page = await signIn(token);
    await go(page, '#/queues/emails');
    await page.waitForSelector('dd[data-count=waiting]');
    await page.waitForSelector('dd[data-count=failed]:text-is("0")');
    expect(await countColor(page, 'failed')).not.toBe(RED); // none failed: nothing to alarm
    expect(await page.locator('.actions button').count()).toBe(0);
    expect(await page.locator('input[type=checkbox]').count()).toBe(0);
    const status = await page.evaluate(
      async (t) =>
        (
          await fetch('v1/queues/emails/pause', {
            method: 'POST',
            headers: { authorization: `Bearer ${t}` },
          })
        ).status,
      token,
    );
    expect(status).toBe(403);
    expect(await q.isPaused()).toBe(false);
    expect(page.url()).not.toContain(token);
    await page.screenshot({ path: `${SHOTS}/viewer.png` });
    await page.close();
  });
});
