/** The signing secret of `sluice token`: `--secret-file <path>`, else `SLUICE_SECRET`. */
import { ConfigError } from '../../index.js';
import type { Env } from '../config.js';
import type { Io } from '../io.js';

/** The flag both token commands take. */
export const secretFlags = { 'secret-file': { type: 'string' } } as const;

/** Reads the secret (a file's contents, trimmed; else the environment). */
export async function readSecret(file: string | undefined, env: Env, io: Io): Promise<string> {
  let secret: string | undefined;
  if (file !== undefined) {
    try {
      secret = (await io.readFile(file)).trim();
    } catch (err) {
      throw new ConfigError([`cannot read the secret file ${file}: ${(err as Error).message}`]);
    }
  } else secret = env.SLUICE_SECRET;
  if (!secret) throw new ConfigError(['no secret: set SLUICE_SECRET or pass --secret-file <path>']);
  return secret;
}
