/**
 * `sluice token mint`: sign an HS256 JWT with the server's secret (`--secret-file` or
 * `SLUICE_SECRET`; never on argv). Claims: `sub`, `role`, `topics`, `publish`, `exp` (`--ttl`).
 */
import { SignJWT } from 'jose';
import { choiceFlag, parseCommand, strFlag } from '../args.js';
import { command } from '../command.js';
import { usage } from '../errors.js';
import { printJson } from '../output.js';
import { readSecret, secretFlags } from './token-secret.js';

/** The longest lifetime a minted token may have: 100 years. */
const MAX_TTL_SECONDS = 36500 * 86400;

/** Parses a duration: `90` (seconds), `30s`, `15m`, `12h`, `7d`. Resolves to seconds. */
export function parseTtl(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) throw usage(`--ttl ${JSON.stringify(text)} is not a duration (90, 30s, 15m, 12h, 7d)`);
  const n =
    Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  if (n <= 0) throw usage('--ttl must be more than zero');
  // past this the expiry is no date a token check (or a Date) can show
  if (n > MAX_TTL_SECONDS) throw usage('--ttl must be at most 36500d (100 years)');
  return n;
}

const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

export default command({
  name: 'token mint',
  summary: 'mint an HS256 token (admin, viewer, or topic grants)',
  usage:
    'sluice token mint [--role admin|viewer] [--topics a,b,prefix*] [--publish true|a,b] [--sub who] [--ttl 1h] [--secret-file path] [--json]',
  parse(argv) {
    const p = parseCommand(
      argv,
      {
        ...secretFlags,
        role: { type: 'string' },
        topics: { type: 'string' },
        publish: { type: 'string' },
        sub: { type: 'string' },
        ttl: { type: 'string' },
      },
      [],
    );
    const publish = strFlag(p.values.publish);
    const role = choiceFlag(p.values.role, 'role', ['admin', 'viewer'] as const);
    const topics = list(strFlag(p.values.topics));
    if (!role && !topics) throw usage('a token needs --role or --topics (or both)');
    return {
      common: p.common,
      secretFile: strFlag(p.values['secret-file']),
      ttlSeconds: parseTtl(strFlag(p.values.ttl) ?? '1h'),
      ...(role ? { role } : {}),
      ...(topics ? { topics } : {}),
      ...(publish === undefined
        ? {}
        : { publish: publish === 'true' ? (true as const) : list(publish)! }),
      ...(p.values.sub !== undefined ? { sub: strFlag(p.values.sub)! } : {}),
    };
  },
  async run(opts, io, { env }) {
    const secret = await readSecret(opts.secretFile, env, io);
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      ...(opts.role ? { role: opts.role } : {}),
      ...(opts.topics ? { topics: opts.topics } : {}),
      ...(opts.publish !== undefined ? { publish: opts.publish } : {}),
    };
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + opts.ttlSeconds);
    if (opts.sub) jwt = jwt.setSubject(opts.sub);
    const token = await jwt.sign(new TextEncoder().encode(secret));
    if (opts.common.json)
      return printJson(io, { token, expiresAt: (now + opts.ttlSeconds) * 1000 });
    io.stdout.write(token + '\n');
  },
});
