/**
 * `GET /v1/queues/{queue}/archive`: the job archive in PostgreSQL (`Archive.list` of
 * `sluice/outbox`), in the admin scope. Without `databaseUrl` it answers 404 SLC_ERR_NOT_FOUND.
 */
import { RequestError } from '../../index.js';
import { adminHook } from '../auth.js';
import * as s from '../schemas/archive.js';
import type { App, ServerContext } from '../types.js';

/** Registers the archive route on `app` (mounted at `/v1`). */
export async function archiveRoutes(app: App, ctx: ServerContext): Promise<void> {
  app.addHook('onRequest', adminHook(ctx.auth));
  app.get('/queues/:queue/archive', { schema: s.listArchive }, async (req) => {
    if (!ctx.outbox)
      throw new RequestError('SLC_ERR_NOT_FOUND', 'no archive: the server has no databaseUrl');
    const { entityId, since, state, limit, after } = req.query;
    const page = await ctx.outbox.archive.list({
      queue: req.params.queue,
      ...(entityId === undefined ? {} : { entityId }),
      ...(since === undefined ? {} : { since: new Date(since) }),
      ...(state === undefined ? {} : { state }),
      ...(limit === undefined ? {} : { limit }),
      ...(after === undefined ? {} : { after }),
    });
    return {
      jobs: page.jobs.map((j) => ({
        ...j,
        createdAt: j.createdAt.getTime(),
        finishedAt: j.finishedAt.getTime(),
      })),
      ...(page.next === undefined ? {} : { next: page.next }),
    };
  });
}
