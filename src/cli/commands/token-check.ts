/**
 * `sluice token check`: verify a token (from stdin, `--token-file` or `SLUICE_TOKEN`) against
 * the secret and print its claims. An invalid or expired token exits 4 with its code.
 */
import { decodeJwt, errors, jwtVerify } from 'jose';
import { AuthError, ConfigError } from '../../index.js';
import { parseCommand } from '../args.js';
import { command } from '../command.js';
import { tokenFileOf } from '../config.js';
import { isoTime, printJson, printRecord } from '../output.js';
import { readSecret, secretFlags } from './token-secret.js';

export default command({
  name: 'token check',
  summary: 'verify a token (stdin with -, --token-file, or SLUICE_TOKEN) and print its claims',
  usage: 'sluice token check [-] [--token-file path] [--secret-file path] [--json]',
  parse(argv) {
    const p = parseCommand(argv, secretFlags, [], true);
    const stdin = p.positionals[0] === '-';
    return {
      common: p.common,
      stdin,
      secretFile: typeof p.values['secret-file'] === 'string' ? p.values['secret-file'] : undefined,
    };
  },
  async run(opts, io, { env }) {
    const secret = await readSecret(opts.secretFile, env, io);
    let token: string | undefined;
    const file = tokenFileOf(opts.common, env);
    if (opts.stdin) token = (await io.readStdin()).trim();
    else if (file !== undefined) {
      try {
        token = (await io.readFile(file)).trim();
      } catch (err) {
        throw new ConfigError([`cannot read the token file ${file}: ${(err as Error).message}`]);
      }
    } else token = env.SLUICE_TOKEN?.trim();
    if (!token)
      throw new ConfigError(['no token: pipe one with -, or set --token-file / SLUICE_TOKEN']);
    try {
      await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
    } catch (err) {
      if (err instanceof errors.JWTExpired)
        throw new AuthError('SLC_ERR_TOKEN_EXPIRED', 'the token has expired');
      throw new AuthError('SLC_ERR_UNAUTHORIZED', 'the token is not valid for this secret');
    }
    const claims = decodeJwt(token);
    if (opts.common.json) return printJson(io, { valid: true, claims });
    printRecord(io, [
      ['valid', true],
      ['sub', claims.sub],
      ['role', claims.role as string | undefined],
      ['topics', Array.isArray(claims.topics) ? claims.topics.join(',') : undefined],
      [
        'publish',
        claims.publish === true
          ? 'true'
          : Array.isArray(claims.publish)
            ? claims.publish.join(',')
            : undefined,
      ],
      ['expires', claims.exp ? isoTime(claims.exp * 1000) : 'never'],
    ]);
  },
});
