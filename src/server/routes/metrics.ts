/**
 * `GET /metrics`: Prometheus text from the server's own registry (see `../metrics.ts`). With a
 * secret configured, the scrape needs an admin or viewer token (`authorization` in the
 * Prometheus scrape config), found by the rule of every route ({@link bearerToken}); without
 * one the server is on loopback and it is open.
 */
import { AuthError } from '../../index.js';
import { bearerToken } from '../auth.js';
import { metricsFor } from '../metrics.js';
import type { App, ServerContext } from '../types.js';

export async function metricsRoutes(app: App, ctx: ServerContext): Promise<void> {
  const metrics = metricsFor(ctx);
  app.get('/metrics', async (req, reply) => {
    if (ctx.auth.enabled) {
      const who = await ctx.auth.verify(bearerToken(req));
      if (!who.admin) {
        throw new AuthError('SLC_ERR_FORBIDDEN', 'metrics need an admin or viewer token');
      }
    }
    const text = await metrics.render();
    return reply.type(metrics.contentType).send(text);
  });
}
