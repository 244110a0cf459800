/**
 * WebSocket close codes of the gateway, and what a client should do on each. 1000–1015 are the
 * standard's; 4000–4999 are the application's. The rule a client follows: reconnect (with its
 * last positions) unless the code says to give up; after 4003, reconnect with a fresh token.
 */
import type { SluiceErrorCode } from '../../index.js';

/** The close codes (see docs/gateway.md for the table). */
export const CLOSE = {
  /** Closed on purpose by either side; nothing to do. */
  normal: 1000,
  /** The server is shutting down: reconnect (to any process) with your positions. */
  goingAway: 1001,
  /** The peer sent something that is not the protocol (not JSON, unknown type): give up. */
  protocol: 1002,
  /** An unexpected server failure: reconnect with back-off. */
  internal: 1011,
  /** Redis is unreachable for now: reconnect with back-off. */
  tryAgain: 1013,
  /** No valid token (or none in time): give up until the user signs in again. */
  unauthorized: 4001,
  /** The token expired: get a fresh token, then reconnect with your positions. */
  tokenExpired: 4003,
  /** Too slow a reader: reconnect with your positions (the reason carries the server's view). */
  slowConsumer: 4008,
  /** No pong within the dead-peer timeout (the client rarely sees it): reconnect. */
  deadPeer: 4009,
} as const;

/** One of the close codes above. */
export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

/** The close code that ends a connection for an error of this code. */
export function closeCodeFor(code: SluiceErrorCode): CloseCode {
  switch (code) {
    case 'SLC_ERR_UNAUTHORIZED':
    case 'SLC_ERR_FORBIDDEN':
      return CLOSE.unauthorized;
    case 'SLC_ERR_TOKEN_EXPIRED':
      return CLOSE.tokenExpired;
    case 'SLC_ERR_SLOW_CONSUMER':
      return CLOSE.slowConsumer;
    case 'SLC_ERR_CLOSED':
      return CLOSE.goingAway;
    case 'SLC_ERR_CONNECTION':
    case 'SLC_ERR_TIMEOUT':
      return CLOSE.tryAgain;
    default:
      return CLOSE.internal;
  }
}
