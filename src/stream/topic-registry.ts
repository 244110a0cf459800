/**
 * Topic names go into the registry (see `src/registry.ts`) before a `Streams` instance first
 * publishes to them: topic handles are cheap and made per call, so the memo lives per hub.
 */
import { NameRegistration } from '../registry.js';
import type { Hub } from './hub.js';

const byHub = new WeakMap<Hub, NameRegistration>();

/** Resolves once `topic` is in the registry of `hub`'s prefix (one SADD per hub and name). */
export function registerTopic(hub: Hub, topic: string): Promise<void> {
  let r = byHub.get(hub);
  if (!r) {
    r = new NameRegistration((key, name) => hub.conn.run((c) => c.sadd(key, name), 'SADD'));
    byHub.set(hub, r);
  }
  return r.ensure(hub.prefix, 'topics', topic);
}
