/**
 * Schedule routes under `/v1/queues/{q}/schedules`: the admin scope (admin role, or the viewer
 * role for GETs). Each handler is one call into `services/schedules.ts`.
 */
import { adminHook } from '../auth.js';
import * as s from '../schemas/schedules.js';
import * as svc from '../services/schedules.js';
import type { App, ServerContext } from '../types.js';

/** Registers the schedule routes on `app` (mounted at `/v1`). */
export async function scheduleRoutes(app: App, ctx: ServerContext): Promise<void> {
  const dir = ctx.queues;
  app.addHook('onRequest', adminHook(ctx.auth));

  app.get('/queues/:queue/schedules', { schema: s.listSchedules }, (req) =>
    svc.listSchedules(dir, req.params.queue),
  );
  app.put('/queues/:queue/schedules/:key', { schema: s.putSchedule }, async (req, reply) => {
    const out = await svc.putSchedule(dir, req.params.queue, req.params.key, req.body);
    return reply.status(out.changed ? 201 : 200).send(out as never);
  });
  app.delete(
    '/queues/:queue/schedules/:key',
    {
      schema: s.deleteSchedule,
      preValidation: async (req: { body: unknown }) => {
        req.body ??= {};
      },
    },
    (req) => svc.deleteSchedule(dir, req.params.queue, req.params.key),
  );
}
