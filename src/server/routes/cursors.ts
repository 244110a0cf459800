/**
 * Cursor and unread routes under `/v1/users/{user}`: their own scope and auth hook (any valid
 * token). A token whose `sub` is the user may read its own cursors and unread counts, and move
 * its own cursors, on topics it may read; an admin may do all of it for any user (a viewer:
 * read only); adding to an unread count is a backend's call (admin). Each handler is one
 * service call.
 */
import { AuthError } from '../../index.js';
import { principalHook, principalOf, requireAdmin, requireTopic } from '../auth.js';
import * as s from '../schemas/cursors.js';
import * as svc from '../services/cursors.js';
import type { App, Authenticator, Principal, ServerContext } from '../types.js';

/** Throws `SLC_ERR_FORBIDDEN` unless `p` may act on `user`'s cursors of `topics`. */
function requireUser(
  auth: Authenticator,
  p: Principal,
  method: string,
  user: string,
  topics: readonly string[],
): void {
  if (p.admin) return requireAdmin(p, method);
  if (p.subject !== user)
    throw new AuthError('SLC_ERR_FORBIDDEN', `the token may not use the cursors of ${user}`);
  for (const t of topics) requireTopic(auth, p, t, 'read');
}

/** Registers the cursor routes on `app` (mounted at `/v1`). */
export async function cursorRoutes(app: App, ctx: ServerContext): Promise<void> {
  const { auth } = ctx;
  const cursors = ctx.streams.cursors();
  app.addHook('onRequest', principalHook(auth));

  app.get('/users/:user/cursors/:client', { schema: s.getCursors }, (req) => {
    const topics = svc.topicList(req.query.topics);
    requireUser(auth, principalOf(req), req.method, req.params.user, topics);
    return svc.cursorsOf(cursors, req.params.user, req.params.client, topics);
  });
  app.put('/users/:user/cursors/:client/:topic', { schema: s.setCursor }, (req) => {
    requireUser(auth, principalOf(req), req.method, req.params.user, [req.params.topic]);
    return svc.setCursor(cursors, req.params, req.body);
  });
  app.get('/users/:user/unread', { schema: s.getUnread }, (req) => {
    const topics = svc.topicList(req.query.topics);
    requireUser(auth, principalOf(req), req.method, req.params.user, topics);
    return svc.unreadOf(cursors, req.params.user, topics);
  });
  app.post(
    '/users/:user/unread/:topic',
    // No body at all reads as `{}` (add 1).
    { schema: s.addUnread, preValidation: async (req) => void (req.body ??= {}) },
    (req) => {
      requireAdmin(principalOf(req), req.method);
      return svc.addUnread(cursors, req.params.user, req.params.topic, req.body.by);
    },
  );
}
