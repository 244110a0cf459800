/**
 * The server's configuration: one shape, resolved from flags, environment and an optional JSON
 * file by a pure function (flags > environment > file > defaults), validated at start with one
 * `ConfigError` that lists every problem. `docs/configuration.md` is the reference.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../index.js';
import { checkGatewayBlock, type GatewayOptions } from './gateway/options.js';

/** pino log levels. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The resolved configuration of one server process. */
export interface ServerConfig {
  /** Redis URL (`redis://`, `rediss://`). */
  redisUrl: string;
  /** Key prefix shared with the library (default `sluice`). */
  prefix: string;
  /** Interface to bind. 127.0.0.1 when no secret is set (another host is refused then). */
  host: string;
  /** TCP port (0 = any free port). */
  port: number;
  /** HS256 secret for tokens; undefined = auth off, loopback only. Never logged. */
  secret?: string;
  /** pino log level. */
  logLevel: LogLevel;
  /** The JSON file the configuration was read from, if any. */
  configFile?: string;
  /** Run the demo workload in the process (`npm start`). Default false. */
  demo?: boolean;
  /** Label topic metrics by topic name (unbounded cardinality; default false: totals only). */
  metricsTopicLabels?: boolean;
  /**
   * PostgreSQL URL of the outbox and job archive (`postgres://`); unset = no database. Never
   * logged, never a flag (it may carry a password).
   */
  databaseUrl?: string;
  /** Run the outbox relay in this process (needs `databaseUrl`). Default false. */
  relay?: boolean;
  /**
   * The gateway's limits and timings (config file only; every field optional, see
   * `docs/gateway.md`). Checked by {@link resolveConfig}: integers in range, known keys.
   */
  gateway?: Partial<GatewayOptions>;
}

/** Values given on the command line (never a secret: argv is visible to every local user). */
export interface ConfigFlags {
  redisUrl?: string;
  prefix?: string;
  host?: string;
  port?: number | string;
  secretFile?: string;
  logLevel?: string;
  config?: string;
  demo?: boolean | string;
  metricsTopicLabels?: boolean | string;
  relay?: boolean | string;
}

/** The texts of the files the flags or environment name (read by {@link loadConfig}). */
export interface ConfigFiles {
  /** Contents of the JSON config file (`--config` / `SLUICE_CONFIG`). */
  config?: string;
  /** Contents of the secret file (`--secret-file` / `SLUICE_SECRET_FILE`). */
  secret?: string;
}

export const DEFAULT_PORT = 7700;
/** Where the server looks for Redis when neither a flag, `REDIS_URL` nor the file names one. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Whether `host` is a loopback interface (the only one allowed without a secret). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host);
}
const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const FILE_KEYS = new Set([
  'redisUrl',
  'prefix',
  'host',
  'port',
  'secret',
  'secretFile',
  'logLevel',
  'demo',
  'metricsTopicLabels',
  'databaseUrl',
  'relay',
  'gateway',
]);
/** An HS256 key should be at least as long as the hash (RFC 7518 §3.2): 256 bits. */
const MIN_SECRET_LENGTH = 32;

type Env = Record<string, string | undefined>;
type Raw = Record<string, unknown>;

/** The first of `values` that is set (not undefined, not ''). */
function pick(...values: unknown[]): unknown {
  return values.find((v) => v !== undefined && v !== '');
}

function parseFile(text: string | undefined, problems: string[]): Raw {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    problems.push(`config file is not valid JSON: ${(err as Error).message}`);
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push('config file must hold a JSON object');
    return {};
  }
  for (const key of Object.keys(parsed)) {
    if (!FILE_KEYS.has(key)) problems.push(`config file: unknown key "${key}"`);
  }
  return parsed as Raw;
}

function toBool(name: string, v: unknown, problems: string[]): boolean {
  if (v === undefined || typeof v === 'boolean') return v === true;
  if (typeof v === 'string' && /^(1|true|yes|on)$/i.test(v)) return true;
  if (typeof v === 'string' && /^(0|false|no|off)$/i.test(v)) return false;
  problems.push(`${name} must be true or false, not ${JSON.stringify(v)}`);
  return false;
}

function checkRedisUrl(url: string, problems: string[]): void {
  let ok = false;
  try {
    ok = ['redis:', 'rediss:'].includes(new URL(url).protocol);
  } catch {
    ok = false;
  }
  // The URL itself may carry a password: name the rule, not the value.
  if (!ok) problems.push('redisUrl must be a redis:// or rediss:// URL');
}

/**
 * Resolves and validates the configuration. Pure: the caller reads the files (see
 * {@link loadConfig}). Throws one `ConfigError` listing every problem.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ port: 8080 }, process.env);
 * ```
 */
export function resolveConfig(flags: ConfigFlags, env: Env, files: ConfigFiles = {}): ServerConfig {
  const problems: string[] = [];
  const file = parseFile(files.config, problems);

  const redisUrl = String(pick(flags.redisUrl, env.REDIS_URL, file.redisUrl) ?? DEFAULT_REDIS_URL);
  checkRedisUrl(redisUrl, problems);

  const prefix = String(pick(flags.prefix, env.SLUICE_PREFIX, file.prefix) ?? 'sluice');
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(prefix))
    problems.push('prefix must be 1–64 characters of A-Z a-z 0-9 _ . : -');

  const rawPort = pick(flags.port, env.PORT, file.port) ?? DEFAULT_PORT;
  const port = typeof rawPort === 'string' && /^\d+$/.test(rawPort) ? Number(rawPort) : rawPort;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`port must be an integer 0–65535, not ${JSON.stringify(rawPort)}`);

  const logLevel = String(pick(flags.logLevel, env.LOG_LEVEL, file.logLevel) ?? 'info');
  if (!LEVELS.has(logLevel)) problems.push(`logLevel must be one of ${[...LEVELS].join(', ')}`);

  const secretInline = pick(env.SLUICE_SECRET, file.secret);
  const secretFile = pick(flags.secretFile, env.SLUICE_SECRET_FILE, file.secretFile);
  if (secretInline !== undefined && secretFile !== undefined)
    problems.push('set either SLUICE_SECRET or SLUICE_SECRET_FILE, not both');
  const secretRaw = secretFile !== undefined ? files.secret?.trim() : secretInline;
  if (secretFile !== undefined && files.secret === undefined)
    problems.push(`secret file ${String(secretFile)} could not be read`);
  const secret = typeof secretRaw === 'string' && secretRaw !== '' ? secretRaw : undefined;
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH)
    problems.push(`the secret must be at least ${MIN_SECRET_LENGTH} characters`);
  if (secretRaw !== undefined && typeof secretRaw !== 'string')
    problems.push('secret must be a string');

  const askedHost = pick(flags.host, env.HOST, file.host);
  const host = String(askedHost ?? (secret ? '0.0.0.0' : '127.0.0.1'));
  // Without a secret every caller is an admin: serving that beyond loopback is refused, not
  // quietly narrowed, so the operator who asked for 0.0.0.0 learns why nobody can connect.
  if (!secret && !LOOPBACK.has(host))
    problems.push(
      `host ${host} needs a secret: without SLUICE_SECRET the server binds to 127.0.0.1 only`,
    );

  const demo = toBool('demo', pick(flags.demo, env.SLUICE_DEMO, file.demo), problems);
  const metricsTopicLabels = toBool(
    'metricsTopicLabels',
    pick(flags.metricsTopicLabels, env.SLUICE_METRICS_TOPIC_LABELS, file.metricsTopicLabels),
    problems,
  );
  const configFile = pick(flags.config, env.SLUICE_CONFIG);

  const databaseUrl = pick(env.DATABASE_URL, file.databaseUrl);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/./.test(String(databaseUrl)))
    problems.push('databaseUrl must be a postgres:// or postgresql:// URL');
  const relay = toBool('relay', pick(flags.relay, env.SLUICE_RELAY, file.relay), problems);
  if (relay && databaseUrl === undefined)
    problems.push('relay needs a database: set DATABASE_URL (or databaseUrl in the config file)');

  const gateway = checkGatewayBlock(file.gateway, problems);

  if (problems.length) throw new ConfigError(problems);
  return {
    redisUrl,
    prefix,
    host,
    port: port as number,
    ...(secret ? { secret } : {}),
    logLevel: logLevel as LogLevel,
    ...(typeof configFile === 'string' ? { configFile } : {}),
    demo,
    metricsTopicLabels,
    ...(databaseUrl === undefined ? {} : { databaseUrl: String(databaseUrl) }),
    relay,
    ...(gateway === undefined ? {} : { gateway }),
  };
}

/**
 * Reads the files the flags or environment name (config JSON, secret), then
 * {@link resolveConfig}. A file that cannot be read is one of the listed problems.
 */
export function loadConfig(flags: ConfigFlags = {}, env: Env = process.env): ServerConfig {
  const files: ConfigFiles = {};
  const problems: string[] = [];
  const read = (path: string, what: string): string | undefined => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      problems.push(`${what} ${path} could not be read (${(err as NodeJS.ErrnoException).code})`);
      return undefined;
    }
  };
  const configPath = pick(flags.config, env.SLUICE_CONFIG);
  if (typeof configPath === 'string') {
    const text = read(configPath, 'config file');
    if (text !== undefined) files.config = text;
  }
  let secretPath = pick(flags.secretFile, env.SLUICE_SECRET_FILE);
  if (secretPath === undefined && files.config !== undefined) {
    try {
      secretPath = (JSON.parse(files.config) as Raw).secretFile;
    } catch {
      // resolveConfig reports the bad JSON
    }
  }
  if (typeof secretPath === 'string') {
    const text = read(secretPath, 'secret file');
    if (text !== undefined) files.secret = text;
  }
  try {
    const config = resolveConfig(flags, env, files);
    if (problems.length) throw new ConfigError(problems);
    return config;
  } catch (err) {
    if (err instanceof ConfigError && problems.length) {
      // One error with every problem: the unreadable files first, then the rest (without the
      // resolver's own "could not be read" for the same secret file).
      const rest = err.problems.filter((p) => !/^secret file .* could not be read$/.test(p));
      throw new ConfigError([...problems, ...rest.filter((p) => !problems.includes(p))]);
    }
    throw err;
  }
}
