/**
 * The types every part of the server shares: the Fastify instance as the routes see it (with the
 * TypeBox type provider, so handler types come from the schemas), the context the parts are built
 * over, and the authenticator's contract.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Queue, Registry, Streams } from '../index.js';
import type { ServerConfig } from './config.js';
import type { ServerOutbox } from './outbox.js';

/** The Fastify instance every route plugin receives. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Who a verified token says the caller is, and what it may do. */
export interface Principal {
  /** The token's `sub`, if any (never logged with the token itself). */
  subject?: string;
  /** May call admin routes (queues, topic admin). */
  admin: boolean;
  /** Admin routes that only read (the dashboard's read-only role): no action is allowed. */
  readOnly: boolean;
  /** Topic names or `prefix*` patterns the caller may read (subscribe, range). */
  read: readonly string[];
  /** Topic names or `prefix*` patterns the caller may publish to. */
  publish: readonly string[];
  /** Expiry, ms since the epoch (a live subscription is closed when it passes). */
  expiresAt?: number;
}

/**
 * Verifies tokens and answers access questions. With no secret configured, `enabled` is false and
 * every caller is an admin (the server then binds to loopback only).
 */
export interface Authenticator {
  readonly enabled: boolean;
  /** Verifies a bearer token. Throws `AuthError` (401) when missing, invalid or expired. */
  verify(token: string | undefined): Promise<Principal>;
  canRead(principal: Principal, topic: string): boolean;
  canPublish(principal: Principal, topic: string): boolean;
}

/** Queue handles by name, made once and kept (a Queue holds connections). */
export interface QueueDirectory {
  get(name: string): Queue;
  /** Every queue name known under the prefix (the registry). */
  names(): Promise<string[]>;
  /** Whether the registry knows `name` (a handle is made only for known names or an add). */
  known(name: string): Promise<boolean>;
  close(): Promise<void>;
}

/** What the server's parts are built over. One per process. */
export interface ServerContext {
  config: ServerConfig;
  queues: QueueDirectory;
  streams: Streams;
  /** The registry of queue and topic names under the prefix. */
  registry: Registry;
  auth: Authenticator;
  /** The database side (pool, archive, relay), when `databaseUrl` is set. */
  outbox?: ServerOutbox;
}
