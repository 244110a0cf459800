/**
 * `main(argv, env, io)`: finds the command (`noun verb`), parses its argv, resolves the
 * connection, runs it, and turns every failure into `code: message` on stderr and an exit code
 * (see `errors.ts`). It never touches `process`: `bin.ts` does.
 */
import { ConfigError } from '../index.js';
import type { Api } from './client.js';
import { createApi } from './client.js';
import type { Command, Deps } from './command.js';
import { COMMANDS } from './commands/index.js';
import { resolve, tokenFileOf, type Env } from './config.js';
import { EXIT, describeError, exitCodeOf, usage } from './errors.js';
import type { Io } from './io.js';

/** Finds the command `argv` names; `rest` is its own argv. */
export function findCommand(argv: readonly string[], commands = COMMANDS) {
  const [noun, verb] = argv;
  // `sluice token` alone mints, as `sluice token mint`.
  if (noun === 'token' && (verb === undefined || verb.startsWith('-'))) {
    return { command: commands.find((c) => c.name === 'token mint'), rest: argv.slice(1) };
  }
  const two = commands.find((c) => c.name === `${noun} ${verb}`);
  if (two) return { command: two, rest: argv.slice(2) };
  return { command: commands.find((c) => c.name === noun), rest: argv.slice(1) };
}

/** The help text: every command's usage line. */
export function helpText(
  commands: readonly Pick<Command, 'usage' | 'summary'>[] = COMMANDS,
): string {
  const lines = commands.map((c) => `  ${c.usage}\n      ${c.summary}`);
  return [
    'usage: sluice <command> [flags]',
    '',
    ...lines,
    '',
    'Every server command takes --url (or SLUICE_URL), --token-file (or SLUICE_TOKEN), --json.',
    'Exit codes: 0 ok, 1 server error, 2 usage, 3 server unreachable, 4 auth, 130 interrupted.',
    '',
  ].join('\n');
}

/**
 * Commands that talk to no server: they need no token file (`token check` reads its own, as the
 * token it checks), so a missing one must not stop them.
 */
const LOCAL_COMMANDS = new Set(['token check', 'token mint', 'server', 'db migrate']);

/** Runs one invocation; resolves with the exit code. */
export async function main(argv: readonly string[], env: Env, io: Io): Promise<number> {
  try {
    if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
      (argv.length === 0 ? io.stderr : io.stdout).write(helpText());
      return argv.length === 0 ? EXIT.USAGE : EXIT.OK;
    }
    const { command, rest } = findCommand(argv);
    // `sluice queue --help` (or `sluice queue` alone): that group's commands
    const group = COMMANDS.filter((c) => c.name.startsWith(`${argv[0]} `));
    if (!command && group.length > 0 && (argv.length === 1 || /^(-h|--help)$/.test(argv[1]!))) {
      (argv.length === 1 ? io.stderr : io.stdout).write(helpText(group));
      return argv.length === 1 ? EXIT.USAGE : EXIT.OK;
    }
    if (!command)
      throw usage(
        `unknown command ${JSON.stringify(argv.slice(0, 2).join(' '))} (see sluice --help)`,
      );
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`usage: ${command.usage}\n  ${command.summary}\n`);
      return EXIT.OK;
    }
    const opts = command.parse(rest);
    let api: Api | undefined;
    let tokenText: string | undefined;
    const tokenFile = tokenFileOf(opts.common, env);
    if (tokenFile !== undefined && !LOCAL_COMMANDS.has(command.name)) {
      try {
        tokenText = await io.readFile(tokenFile);
      } catch (err) {
        throw new ConfigError([
          `cannot read the token file ${tokenFile}: ${(err as Error).message}`,
        ]);
      }
    }
    const deps: Deps = {
      env,
      api: () =>
        (api ??= createApi(
          resolve(opts.common, env, tokenText === undefined ? {} : { token: tokenText }),
        )),
    };
    const code = (await command.run(opts, io, deps)) ?? EXIT.OK;
    return io.signal.aborted &&
      code === EXIT.OK &&
      !['topic tail', 'top', 'server'].includes(command.name)
      ? EXIT.INTERRUPTED
      : code;
  } catch (err) {
    if (io.signal.aborted) return EXIT.INTERRUPTED;
    io.stderr.write(describeError(err) + '\n');
    return exitCodeOf(err);
  }
}
