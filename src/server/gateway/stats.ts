/** The gateway's counters of one process (for `/metrics` and the tests). */

/** Counters of one gateway. */
export interface GatewayStats {
  /** Connections open now (SSE streams and WebSockets). */
  connections: number;
  /** Entries handed to client sockets. */
  delivered: number;
  /** Connections dropped as slow consumers. */
  slowDropped: number;
  /** The most bytes one connection ever had waiting to be sent (bounded by the budget). */
  maxBufferedBytes: number;
}

/** Fresh counters. */
export function newStats(): GatewayStats {
  return { connections: 0, delivered: 0, slowDropped: 0, maxBufferedBytes: 0 };
}
