/**
 * Topic routes under `/v1/topics`: their own scope and auth hook (any valid token); each route
 * then checks the token's grant — listing needs an admin or viewer, info and entries need read
 * access to the topic, publishing needs publish access. Each handler is one service call.
 */
import { RequestError } from '../../index.js';
import { gatewayOptions, isEphemeral } from '../gateway/options.js';
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
  // Ephemeral topics (gateway.ephemeralPrefixes) go by Pub/Sub, as the gateway serves them:
  // a publish reaches the live subscribers and keeps nothing, so there is no history to page.
  const gateway = gatewayOptions(ctx.config);
  app.post('/topics/:topic', { schema: s.publish }, async (req, reply) => {
    const topic = req.params.topic;
    requireTopic(auth, principalOf(req), topic, 'publish');
    if (isEphemeral(gateway, topic))
      return reply.status(201).send(await svc.publishEphemeral(streams, topic, req.body));
    const out = await svc.publish(streams, topic, req.body);
    return reply.status(out.duplicate ? 200 : 201).send(out);
  });
  app.get('/topics/:topic/entries', { schema: s.listEntries }, (req) => {
    const topic = req.params.topic;
    requireTopic(auth, principalOf(req), topic, 'read');
    if (isEphemeral(gateway, topic))
      throw new RequestError(
        'SLC_ERR_BAD_REQUEST',
        `${topic} is an ephemeral topic: it keeps no history (subscribe to its events instead)`,
      );
    return svc.entries(streams, topic, req.query);
  });
}
