/**
 * Regenerates docs/img/dashboard.png (the README's overview image): a real server and Redis with
 * a few queues and a topic, one worker running, the overview in headless Chromium.
 * Run: `npm run build && npx tsx scripts/screenshot.ts`
 */
import { mkdirSync } from 'node:fs';
import { launchChromium } from '../test/harness/chromium.js';
import { RedisServer } from '../test/harness/redis-server.js';
import { buildApp } from '../src/server/app.js';
import { closeContext, createContext } from '../src/server/context.js';
import { Worker } from '../src/index.js';

const redis = await RedisServer.start();
const ctx = createContext({
  redisUrl: redis.url,
  prefix: 'shot',
  host: '127.0.0.1',
  port: 0,
  logLevel: 'silent',
});
const app = await buildApp(ctx);
const url = await app.listen({ port: 0, host: '127.0.0.1' });
for (const name of ['chat-bot', 'search-index', 'social']) {
  await ctx.queues
    .get(name)
    .addBulk(Array.from({ length: 50 }, (_, i) => ({ name: 'sync', data: { i } })));
}
await ctx.streams.topic('notes.changes').publish({ note: 1 });
const w = new Worker('search-index', async () => {}, { connection: redis.url, prefix: 'shot' });
const feed = setInterval(() => void ctx.queues.get('search-index').add('sync', {}), 20);
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
await page.goto(url + '/');
await page.waitForSelector('tr[data-queue=social]');
await new Promise((r) => setTimeout(r, 6000));
mkdirSync('docs/img', { recursive: true });
await page.screenshot({ path: 'docs/img/dashboard.png' });
clearInterval(feed);
await browser.close();
await w.close(0);
await app.close();
await closeContext(ctx);
await redis.stop();
