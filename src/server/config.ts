/**
 * The server's configuration: one shape, resolved from flags, environment and an optional file
 * by a pure function, validated at start with one error that lists every problem.
 */

/** The resolved configuration of one server process. */
export interface ServerConfig {
  /** Redis URL (`redis://`, `rediss://`). */
  redisUrl: string;
  /** Key prefix shared with the library (default `sluice`). */
  prefix: string;
  /** Interface to bind. Forced to 127.0.0.1 when no secret is set. */
  host: string;
  /** TCP port (0 = any free port). */
  port: number;
  /** HS256 secret for tokens; undefined = auth off, loopback only. Never logged. */
  secret?: string;
  /** pino log level. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}
