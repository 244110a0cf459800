/** Test-only access to a context's gateway sessions (to drop connections from the server side). */
import { gatewayOf } from '../../src/server/gateway/gateway.js';
import type { Session } from '../../src/server/gateway/session.js';
import type { ServerContext } from '../../src/server/types.js';

/** The open sessions of the gateway over `ctx`. */
export function gatewaySessions(ctx: ServerContext): Session[] {
  return [...(gatewayOf(ctx)?.sessions ?? [])];
}
