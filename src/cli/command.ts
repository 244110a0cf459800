/**
 * The shape of one command (`commands/<noun>-<verb>.ts`): `parse` turns argv into an options
 * object (pure, tested alone), `run` does the work over an {@link Io} and the server client.
 */
import type { CommonFlags } from './args.js';
import type { Api } from './client.js';
import type { Env } from './config.js';
import type { Io } from './io.js';

/** What `run` may use besides its options and streams. */
export interface Deps {
  /** The server client (made on first use from the resolved URL and token). */
  api(): Api;
  env: Env;
}

/** Options every command's parse returns. */
export interface BaseOptions {
  common: CommonFlags;
}

/** One command. `run` resolves with the exit code (0 when it returns nothing). */
export interface Command<O extends BaseOptions = BaseOptions> {
  /** `noun verb`, as typed. */
  name: string;
  summary: string;
  /** The usage line(s) printed by `--help`. */
  usage: string;
  parse(argv: readonly string[]): O;
  run(opts: O, io: Io, deps: Deps): Promise<number | void>;
}

/** Declares a command with its options type inferred. */
export function command<O extends BaseOptions>(c: Command<O>): Command<O> {
  return c;
}
