/**
 * The dashboard's reads that the admin API lacks: a live SSE stream of every queue's counts (one
 * shared poller per process), a queue's per-minute / per-hour history, and a bounded job search.
 * Admin scope: the admin or the viewer role (every route here only reads).
 */
import { AuthError, RequestError, type SearchField } from '../../index.js';
import { adminHook, principalOf } from '../auth.js';
import { untilExpiry } from '../expiry.js';
import { wireError } from '../gateway/gateway.js';
import { jobView } from '../services/queues.js';
import { livePoller } from '../live-poller.js';
import * as s from '../schemas/dashboard.js';
import type { App, ServerContext } from '../types.js';

async function knownQueue(ctx: ServerContext, name: string) {
  if (!(await ctx.queues.known(name)))
    throw new RequestError('SLC_ERR_NOT_FOUND', `queue ${name} not found`);
  return ctx.queues.get(name);
}

/** Registers the live, history and search routes on `app` (mounted at `/v1`). */
export async function liveRoutes(app: App, ctx: ServerContext): Promise<void> {
  // GET only: the admin role, or the viewer role.
  app.addHook('onRequest', adminHook(ctx.auth));

  app.get('/queues/:queue/history', { schema: s.getHistory }, async (req) =>
    (await knownQueue(ctx, req.params.queue)).history(req.query.range ?? '1h'),
  );

  app.get('/queues/:queue/search', { schema: s.searchJobs }, async (req) => {
    const q = await knownQueue(ctx, req.params.queue);
    const page = await q.search({
      query: req.query.q,
      field: (req.query.field ?? 'any') as SearchField,
      ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
    });
    const jobs = [];
    for (const id of page.ids) {
      const job = await q.getJob(id);
      if (job) jobs.push(jobView(job));
    }
    return { jobs, cursor: page.cursor, scanned: page.scanned };
  });

  // No HEAD twin: a HEAD would join the poller as a viewer and hold it.
  app.get('/live/queues', { schema: s.liveQueues, exposeHeadRoute: false }, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const unsubscribe = livePoller(ctx).subscribe((snap) => {
      // A viewer that cannot keep up skips ticks (each one holds every figure) rather than
      // making the server buffer without bound.
      if (res.writableLength > 1024 * 1024) return;
      res.write(`event: stats\ndata: ${JSON.stringify(snap)}\n\n`);
    });
    const beat = setInterval(() => res.write(': beat\n\n'), 15_000);
    // A token is good until it expires, here as on the gateway's streams: the stream ends then
    // with `SLC_ERR_TOKEN_EXPIRED` (the dashboard signs in again).
    const cancelExpiry = untilExpiry(principalOf(req).expiresAt, () => {
      const err = new AuthError('SLC_ERR_TOKEN_EXPIRED', 'the token has expired');
      res.write(`event: disconnect\ndata: ${JSON.stringify(wireError(err))}\n\n`);
      res.end();
    });
    req.raw.on('close', () => {
      clearInterval(beat);
      cancelExpiry();
      unsubscribe();
    });
  });
}
