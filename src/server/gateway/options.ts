/**
 * The gateway's limits and timings. They live under `gateway` in the server configuration (an
 * optional object; every field has a default), read defensively so a configuration without the
 * block — or with a partial one — still gives a working gateway.
 */
import type { ServerConfig } from '../config.js';

/** The gateway's settings (all optional in the configuration). */
export interface GatewayOptions {
  /** Heart-beat period (ms): an SSE comment, a WebSocket ping. Default 15,000. */
  heartbeatMs: number;
  /** A WebSocket peer that answers no ping within this long is dropped (ms). Default 30,000. */
  deadPeerMs: number;
  /** The `retry:` advice sent to SSE clients (ms before a browser reconnects). Default 2,000. */
  retryMs: number;
  /** Bytes one connection may have waiting to be sent before it is dropped as slow. Default 1 MiB. */
  maxBufferedBytes: number;
  /** Messages one connection may have waiting to be sent before it is dropped. Default 1,000. */
  maxBufferedMessages: number;
  /** Topics one WebSocket may be subscribed to at once. Default 100. */
  maxSubscriptions: number;
  /** How long a WebSocket without a header/query token has to send its `auth` message (ms). */
  authTimeoutMs: number;
  /** After a close, how long a peer that does not read gets before its socket is destroyed (ms). */
  closeGraceMs: number;
  /** Topic names starting with one of these are ephemeral (Pub/Sub: live only, no history). */
  ephemeralPrefixes: string[];
}

/** The defaults (see each field). */
export const GATEWAY_DEFAULTS: Readonly<GatewayOptions> = Object.freeze({
  heartbeatMs: 15_000,
  deadPeerMs: 30_000,
  retryMs: 2_000,
  maxBufferedBytes: 1024 * 1024,
  maxBufferedMessages: 1_000,
  maxSubscriptions: 100,
  authTimeoutMs: 10_000,
  closeGraceMs: 2_000,
  ephemeralPrefixes: ['eph:'],
});

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Timers past 2^31-1 ms fire at once in Node, so no timing may exceed it. */
const MAX_MS = 2 ** 31 - 1;
/** The accepted range of each numeric setting (integers, inclusive). */
const RANGES: Record<Exclude<keyof GatewayOptions, 'ephemeralPrefixes'>, [number, number]> = {
  heartbeatMs: [1, MAX_MS],
  deadPeerMs: [1, MAX_MS],
  retryMs: [1, MAX_MS],
  maxBufferedBytes: [1, 2 ** 32],
  maxBufferedMessages: [1, 1_000_000],
  maxSubscriptions: [1, 100_000],
  authTimeoutMs: [1, MAX_MS],
  closeGraceMs: [1, MAX_MS],
};

/**
 * Checks a configuration's `gateway` block (from the config file or a caller), pushing one line
 * per problem: an unknown key, a number that is not an integer in its range, prefixes that are
 * not an array of non-empty strings. Returns the block as given when it is an object.
 */
export function checkGatewayBlock(
  raw: unknown,
  problems: string[],
): Partial<GatewayOptions> | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push('gateway must be an object');
    return undefined;
  }
  const given = raw as Record<string, unknown>;
  for (const [key, v] of Object.entries(given)) {
    if (key === 'ephemeralPrefixes') {
      if (!Array.isArray(v) || !v.every((p) => typeof p === 'string' && p !== ''))
        problems.push('gateway.ephemeralPrefixes must be an array of non-empty strings');
      continue;
    }
    const range = RANGES[key as keyof typeof RANGES] as [number, number] | undefined;
    if (!range) {
      problems.push(`gateway: unknown key "${key}"`);
      continue;
    }
    const [min, max] = range;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      problems.push(
        `gateway.${key} must be an integer ${min}–${max.toLocaleString('en')}, not ${JSON.stringify(v)}`,
      );
  }
  return given as Partial<GatewayOptions>;
}

/** The gateway settings of a configuration: its `gateway` block over the defaults. */
export function gatewayOptions(config: ServerConfig): GatewayOptions {
  // Read defensively all the same: a caller may build the configuration without resolveConfig.
  const block: unknown = config.gateway;
  const given = (block && typeof block === 'object' ? block : {}) as Record<string, unknown>;
  const out: GatewayOptions = { ...GATEWAY_DEFAULTS, ephemeralPrefixes: [] };
  for (const key of Object.keys(GATEWAY_DEFAULTS) as (keyof GatewayOptions)[]) {
    if (key === 'ephemeralPrefixes') continue;
    const v = given[key];
    if (positive(v)) out[key] = v;
  }
  const prefixes = given.ephemeralPrefixes;
  out.ephemeralPrefixes =
    Array.isArray(prefixes) && prefixes.every((p) => typeof p === 'string')
      ? (prefixes as string[])
      : [...GATEWAY_DEFAULTS.ephemeralPrefixes];
  return out;
}

/** Whether `topic` names an ephemeral topic under these settings. */
export function isEphemeral(opts: GatewayOptions, topic: string): boolean {
  return opts.ephemeralPrefixes.some((p) => p !== '' && topic.startsWith(p));
}
