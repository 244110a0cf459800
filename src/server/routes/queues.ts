/**
 * Queue routes under `/v1/queues`: the admin scope (its own auth hook: the admin role, or the
 * viewer role for GETs). Each handler is one call into `services/queues.ts`.
 */
import { adminHook } from '../auth.js';
import * as s from '../schemas/queues.js';
import * as svc from '../services/queues.js';
import type { App, ServerContext } from '../types.js';

/** Actions whose body is optional (or must be empty): no body at all reads as `{}`. */
const optionalBody = {
  preValidation: async (req: { body: unknown }) => {
    req.body ??= {};
  },
};

/** Registers the queue routes on `app` (mounted at `/v1`). */
export async function queueRoutes(app: App, ctx: ServerContext): Promise<void> {
  const dir = ctx.queues;
  app.addHook('onRequest', adminHook(ctx.auth));

  app.get('/queues', { schema: s.listQueues }, () => svc.listQueues(dir));
  app.get('/queues/:queue', { schema: s.getQueue }, (req) => svc.queueStats(dir, req.params.queue));
  app.get('/queues/:queue/jobs', { schema: s.listJobs }, (req) =>
    svc.listJobs(dir, req.params.queue, req.query),
  );
  app.get('/queues/:queue/jobs/:id', { schema: s.getJob }, (req) =>
    svc.getJob(dir, req.params.queue, req.params.id),
  );
  app.post('/queues/:queue/jobs', { schema: s.addJobs }, async (req, reply) => {
    const { created, body } = await svc.addJobs(dir, req.params.queue, req.body);
    return reply.status(created ? 201 : 200).send(body as never);
  });
  app.post('/queues/:queue/pause', { schema: s.pauseQueue, ...optionalBody }, (req) =>
    svc.setPaused(dir, req.params.queue, true),
  );
  app.post('/queues/:queue/resume', { schema: s.resumeQueue, ...optionalBody }, (req) =>
    svc.setPaused(dir, req.params.queue, false),
  );
  app.post('/queues/:queue/retry-failed', { schema: s.retryFailed, ...optionalBody }, (req) =>
    svc.retryFailed(dir, req.params.queue, req.body.ids),
  );
  app.post('/queues/:queue/clear', { schema: s.clearQueue, ...optionalBody }, (req) =>
    svc.clearQueue(dir, req.params.queue, req.body),
  );
  app.post('/queues/:queue/promote-all', { schema: s.promoteAll, ...optionalBody }, (req) =>
    svc.promoteAll(dir, req.params.queue, req.body.limit),
  );
  app.get('/queues/:queue/priorities', { schema: s.priorityCounts }, (req) =>
    svc.priorityCounts(dir, req.params.queue),
  );
  app.post('/queues/:queue/release-dedup-key', { schema: s.removeDedupKey }, (req) =>
    svc.removeDedupKey(dir, req.params.queue, req.body.key),
  );
  app.put('/queues/:queue/jobs/:id/data', { schema: s.updateJobData }, (req) =>
    svc.changeJob(dir, req.params.queue, req.params.id, req.body),
  );
  app.put('/queues/:queue/jobs/:id/delay', { schema: s.changeJobDelay }, (req) =>
    svc.changeJob(dir, req.params.queue, req.params.id, req.body),
  );
  app.put('/queues/:queue/jobs/:id/priority', { schema: s.changeJobPriority }, (req) =>
    svc.changeJob(dir, req.params.queue, req.params.id, req.body),
  );
  app.post('/queues/:queue/jobs/:id/rerun', { schema: s.rerunJob, ...optionalBody }, (req) =>
    svc.rerunJob(dir, req.params.queue, req.params.id),
  );
  app.post('/queues/:queue/jobs/:id/promote', { schema: s.promoteJob, ...optionalBody }, (req) =>
    svc.promoteJob(dir, req.params.queue, req.params.id),
  );
  app.post('/queues/:queue/jobs/:id/cancel', { schema: s.cancelJob, ...optionalBody }, (req) =>
    svc.cancelJob(dir, req.params.queue, req.params.id),
  );
  app.delete('/queues/:queue/jobs/:id', { schema: s.removeJob, ...optionalBody }, (req) =>
    svc.removeJob(dir, req.params.queue, req.params.id),
  );
}
