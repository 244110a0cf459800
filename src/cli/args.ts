/**
 * Argument parsing over `node:util` `parseArgs` (built in, every Node >= 20): strict options,
 * the flags every command shares, and one usage error (exit 2) for anything wrong. Secrets are
 * refused on argv, with the way to pass them instead.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ConnectionFlags } from './config.js';
import { usage } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every server command takes. */
export interface CommonFlags extends ConnectionFlags {
  json: boolean;
}

const COMMON: Options = {
  url: { type: 'string' },
  'token-file': { type: 'string' },
  json: { type: 'boolean' },
};

/** Flags that would put a secret on argv, and what to use instead. */
const SECRETS: Record<string, string> = {
  token: 'set SLUICE_TOKEN or pass --token-file <path>',
  secret: 'set SLUICE_SECRET or pass --secret-file <path>',
  'database-url': 'set DATABASE_URL or pass --database-url-file <path>',
};

/** Refuses `--token <value>` / `--secret=<value>`: argv is visible to every user (`ps`). */
export function refuseSecrets(argv: readonly string[]): void {
  for (const a of argv) {
    const m = /^--(token|secret|database-url)(=|$)/.exec(a);
    if (m)
      throw usage(`--${m[1]} is refused: secrets never go on the command line; ${SECRETS[m[1]!]}`);
  }
}

/** What {@link parseCommand} returns: named values, positionals, the shared flags. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  common: CommonFlags;
}

/**
 * Parses one command's argv (after `noun verb`). `names` are the required positionals (for the
 * message); `rest` allows more positionals after them.
 */
export function parseCommand(
  argv: readonly string[],
  options: Options,
  names: string[],
  rest = false,
): Parsed {
  refuseSecrets(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...COMMON, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // parseArgs spreads some messages over lines (`--chunk -5`): a failure prints one line
    throw usage((err as Error).message.replace(/\s*\n\s*/g, ' '));
  }
  const { values, positionals } = parsed;
  if (positionals.length < names.length) {
    throw usage(
      `missing ${names
        .slice(positionals.length)
        .map((n) => `<${n}>`)
        .join(' ')}`,
    );
  }
  if (!rest && positionals.length > names.length) {
    throw usage(`unexpected argument ${JSON.stringify(positionals[names.length])}`);
  }
  const v = values as Parsed['values'];
  return {
    values: v,
    positionals,
    common: {
      json: v.json === true,
      ...(typeof v.url === 'string' ? { url: v.url } : {}),
      ...(typeof v['token-file'] === 'string' ? { tokenFile: v['token-file'] } : {}),
    },
  };
}

/** A non-negative integer flag, or `fallback`. */
export function intFlag(
  v: unknown,
  name: string,
  fallback: number,
  min = 0,
  max = Infinity,
): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw usage(`--${name} must be an integer from ${min}${max === Infinity ? '' : ` to ${max}`}`);
  }
  return n;
}

/** A string flag, or undefined. */
export function strFlag(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** One of `allowed`, or undefined when absent. */
export function choiceFlag<T extends string>(
  v: unknown,
  name: string,
  allowed: readonly T[],
): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw usage(`--${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}
