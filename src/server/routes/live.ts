/**
 * The dashboard's reads that the admin API lacks: a live SSE stream of every queue's counts (one
 * shared poller per process), a queue's per-minute / per-hour history, and a bounded job search.
 * Admin scope: the admin or the viewer role (every route here only reads).
 */
import type { FastifyRequest } from 'fastify';
import { AuthError, RequestError, type Job, type SearchField } from '../../index.js';
import { livePoller } from '../live-poller.js';
import * as s from '../schemas/dashboard.js';
import type { App, ServerContext } from '../types.js';

/** The bearer token: `Authorization`, or `?token=` (EventSource cannot set headers). */
export function requestToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string') return /^Bearer +(\S+)$/i.exec(h.trim())?.[1];
  const t = (req.query as Record<string, unknown> | undefined)?.token;
  return typeof t === 'string' && t !== '' ? t : undefined;
}

/** `onRequest` hook: the admin or viewer role (these routes only read). */
export function readerHook(ctx: ServerContext) {
  return async (req: FastifyRequest): Promise<void> => {
    const p = await ctx.auth.verify(requestToken(req));
    if (!p.admin) throw new AuthError('SLC_ERR_FORBIDDEN', 'this route needs an admin token');
  };
}

/** The job as the admin API shows it. */
export function jobWire(job: Job): Record<string, unknown> {
  return {
    id: job.id,
    queue: job.queueName,
    name: job.name,
    data: job.data,
    priority: job.priority,
    state: job.state,
    meta: job.options.meta ?? {},
    options: job.options,
    createdAt: job.createdAt,
    attemptsMade: job.attemptsMade,
    stalls: job.stalls,
    totalStalls: job.totalStalls,
    history: job.history,
    failedReason: job.failedReason,
    returnValue: job.returnValue,
    timestamp: job.timestamp,
  };
}

async function knownQueue(ctx: ServerContext, name: string) {
  const names = await ctx.queues.names();
  if (!names.includes(name)) throw new RequestError('SLC_ERR_NOT_FOUND', `no queue ${name}`);
  return ctx.queues.get(name);
}

/** Registers the live, history and search routes on `app` (mounted at `/v1`). */
export async function liveRoutes(app: App, ctx: ServerContext): Promise<void> {
  app.addHook('onRequest', readerHook(ctx));

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
      if (job) jobs.push(jobWire(job));
    }
    return { jobs, cursor: page.cursor, scanned: page.scanned };
  });

  app.get('/live/queues', { schema: s.liveQueues }, (req, reply) => {
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
    req.raw.on('close', () => {
      clearInterval(beat);
      unsubscribe();
    });
  });
}
