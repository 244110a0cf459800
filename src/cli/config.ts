/**
 * Where the CLI connects, resolved by one pure function from flags, environment and the token
 * file's contents (read by the caller). Secrets never come from argv: the token is
 * `SLUICE_TOKEN` or the contents of `--token-file` / `SLUICE_TOKEN_FILE`.
 */
import { ConfigError } from '../index.js';

/** The connection flags every server command takes. */
export interface ConnectionFlags {
  url?: string;
  tokenFile?: string;
}

/** What a server command connects with. */
export interface CliConfig {
  /** Base URL of the server, without a trailing slash. */
  url: string;
  /** Bearer token, if any. */
  token?: string;
}

/** Environment variables the CLI reads. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Default URL: the port `npm start` and `sluice server` use by default. */
export const DEFAULT_URL = 'http://127.0.0.1:7700';

/** The token file to read, if any (flag wins over `SLUICE_TOKEN_FILE`). */
export function tokenFileOf(flags: ConnectionFlags, env: Env): string | undefined {
  return flags.tokenFile ?? (env.SLUICE_TOKEN_FILE || undefined);
}

/**
 * Resolves the connection: URL from `--url`, else `SLUICE_URL`, else {@link DEFAULT_URL}; token
 * from the token file's contents (when one was named), else `SLUICE_TOKEN`.
 *
 * @example
 * ```ts
 * resolve({ url: 'http://h:7700/' }, { SLUICE_TOKEN: 't' }, {}); // { url: 'http://h:7700', token: 't' }
 * ```
 */
export function resolve(flags: ConnectionFlags, env: Env, file: { token?: string }): CliConfig {
  const raw = flags.url ?? (env.SLUICE_URL || DEFAULT_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError([`server URL ${JSON.stringify(raw)} is not a URL`]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError([`server URL must be http:// or https://, not ${url.protocol}`]);
  }
  const fromFile = file.token?.trim();
  if (file.token !== undefined && !fromFile) throw new ConfigError(['the token file is empty']);
  const token = fromFile ?? (env.SLUICE_TOKEN?.trim() || undefined);
  return { url: url.href.replace(/\/+$/, ''), ...(token ? { token } : {}) };
}
