/**
 * Topic routes under `/v1/topics`: their own scope and auth hook (any valid token); each route
 * then checks the token's grant — listing needs an admin or viewer, info and entries need read
 * access to the topic, publishing needs publish access. Each handler is one service call.
 */
import { principalHook, principalOf, requireAdmin, requireTopic } from '../auth.js';
import * as s from '../schemas/topics.js';
import * as svc from '../services/topics.js';
import type { App, ServerContext } from '../types.js';

/** Registers the topic routes on `app` (mounted at `/v1`). */
export async function topicRoutes(app: App, ctx: ServerContext): Promise<void> {
  const { auth, streams } = ctx;
  app.addHook('onRequest', principalHook(auth));

  app.get('/topics', { schema: s.listTopics }, (req) => {
    requireAdmin(principalOf(req), req.method);
    return svc.listTopics(streams, ctx.registry, req.query);
  });
  app.get('/topics/:topic', { schema: s.getTopic }, (req) => {
    requireTopic(auth, principalOf(req), req.params.topic, 'read');
    return svc.topicInfo(streams, req.params.topic);
  });
  app.post('/topics/:topic', { schema: s.publish }, async (req, reply) => {
    requireTopic(auth, principalOf(req), req.params.topic, 'publish');
    const out = await svc.publish(streams, req.params.topic, req.body);
    return reply.status(out.duplicate ? 200 : 201).send(out);
  });
  app.get('/topics/:topic/entries', { schema: s.listEntries }, (req) => {
    requireTopic(auth, principalOf(req), req.params.topic, 'read');
    return svc.entries(streams, req.params.topic, req.query);
  });
}
