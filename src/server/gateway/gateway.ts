/**
 * What both transports are built over: the context, the settings, the hub, the counters and the
 * open sessions (ended, as "going away", when the server closes). Also the token look-up and the
 * error body both transports answer with before a stream starts.
 */
import { ClosedError, SluiceError } from '../../index.js';
import type { ServerContext } from '../types.js';
import { GatewayHub, type HubStats } from './hub.js';
import { gatewayOptions, type GatewayOptions } from './options.js';
import type { Session } from './session.js';
import { newStats, type GatewayStats } from './stats.js';

/** The gateway of one process. */
export interface Gateway {
  ctx: ServerContext;
  opts: GatewayOptions;
  hub: GatewayHub;
  stats: GatewayStats;
  sessions: Set<Session>;
}

const gateways = new WeakMap<ServerContext, Gateway>();

/** Makes the gateway of an application over `ctx` (the latest one is the context's). */
export function createGateway(ctx: ServerContext): Gateway {
  const gw: Gateway = {
    ctx,
    opts: gatewayOptions(ctx.config),
    hub: new GatewayHub(ctx.streams),
    stats: newStats(),
    sessions: new Set(),
  };
  gateways.set(ctx, gw);
  return gw;
}

/** The gateway of a context, if an application registered one. */
export function gatewayOf(ctx: ServerContext): Gateway | undefined {
  return gateways.get(ctx);
}

/** The gateway's counters for a context (for `/metrics`): connections, delivered, dropped. */
export function gatewayStats(ctx: ServerContext): GatewayStats & HubStats {
  const gw = gatewayOf(ctx);
  return gw ? { ...gw.stats, ...gw.hub.stats() } : { ...newStats(), feeds: 0, replays: 0 };
}

/** Ends every session as "going away" and every library subscription (server shutdown). */
export function closeGateway(gw: Gateway): void {
  for (const s of [...gw.sessions]) s.end(new ClosedError('the server'));
  gw.hub.close();
}

/** Codes whose text is the gateway's own and safe to show, though their status is 5xx. */
const SHOWN = new Set(['SLC_ERR_SLOW_CONSUMER', 'SLC_ERR_CLOSED']);

/** An error as the wire shows it: `{code, message}`, 5xx text hidden ("internal error"). */
export function wireError(err: SluiceError): { code: string; message: string } {
  const hide = err.status >= 500 && !SHOWN.has(err.code);
  return { code: err.code, message: hide ? 'internal error' : err.message };
}

/** The wire error `{"error":{"code","message"}}` and its status; undefined for a non-Sluice error. */
export function errorReply(
  err: unknown,
): { status: number; body: { error: { code: string; message: string } } } | undefined {
  if (!(err instanceof SluiceError)) return undefined;
  return { status: err.status, body: { error: wireError(err) } };
}
