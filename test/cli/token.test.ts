/** `sluice token mint` / `check`, and a minted token against a real server with a secret. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, useCliServer } from './helpers.js';

const SECRET = 'cli-test-secret-0123456789abcdef';
const server = useCliServer(SECRET);

describe('token commands', () => {
  it('token mint: an admin token the server accepts; a viewer token that cannot act', async () => {
    const s = server();
    await s.queue('mail').add('x', 1);
    const env = { SLUICE_SECRET: SECRET };
    const admin = (await cli(['token', 'mint', '--role', 'admin', '--ttl', '10m'], env)).out.trim();
    const viewer = (await cli(['token', '--role', 'viewer'], env)).out.trim();
    const ls = await cli(['queue', 'ls', '--url', s.url], { SLUICE_TOKEN: admin });
    expect(ls.code).toBe(0);
    expect(ls.out).toMatch(/^mail\t/);
    const denied = await cli(['queue', 'pause', 'mail', '--url', s.url], { SLUICE_TOKEN: viewer });
    expect(denied.code).toBe(4);
    expect(denied.err).toMatch(/^SLC_ERR_FORBIDDEN: /);
    expect((await s.queue('mail').stats()).paused).toBe(false);
    // a token that may not remove: the command ends on it (exit 4), once, and nothing goes
    const job = await s.queue('mail').add('y', 2);
    const removeDenied = await cli(['queue', 'remove', 'mail', job.id, '--url', s.url], {
      SLUICE_TOKEN: viewer,
    });
    expect(removeDenied.code).toBe(4);
    expect(removeDenied.err).toMatch(/^SLC_ERR_FORBIDDEN: [^\n]*\n$/);
    expect(await s.queue('mail').getJob(job.id)).toBeDefined();
    const none = await cli(['queue', 'ls', '--url', s.url]);
    expect(none).toMatchObject({ code: 4, out: '' });
    expect(none.err).toMatch(/^SLC_ERR_UNAUTHORIZED: /);
  });

  it('token check: claims of a good token; exit 4 for a wrong secret', async () => {
    const env = { SLUICE_SECRET: SECRET };
    const token = (
      await cli(['token', 'mint', '--topics', 'chat:*', '--publish', 'true', '--sub', 'bot'], env)
    ).out.trim();
    const ok = await cli(['token', 'check', '-', '--json'], env, { stdin: token });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({
      valid: true,
      claims: { sub: 'bot', topics: ['chat:*'], publish: true },
    });
    // SLUICE_TOKEN_FILE is read by check; a missing one is a config error (exit 2), and it
    // stops no command that talks to no server
    const dir = await mkdtemp(join(tmpdir(), 'sluice-token-'));
    await writeFile(join(dir, 'bot.tok'), `${token}\n`);
    const files = { readFile: (path: string) => readFile(path, 'utf8') };
    const fromFile = await cli(
      ['token', 'check', '--json'],
      { ...env, SLUICE_TOKEN_FILE: join(dir, 'bot.tok') },
      files,
    );
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.out)).toMatchObject({ valid: true, claims: { sub: 'bot' } });
    const missing = await cli(['token', 'check', '--token-file', join(dir, 'nope')], env, files);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^SLC_ERR_CONFIG: .*cannot read the token file/);
    const mint = await cli(
      ['token', 'mint', '--role', 'viewer'],
      { ...env, SLUICE_TOKEN_FILE: join(dir, 'nope') },
      files,
    );
    expect(mint.code).toBe(0);
    await rm(dir, { recursive: true, force: true });
    const wrong = await cli(['token', 'check'], { SLUICE_SECRET: 'other', SLUICE_TOKEN: token });
    expect(wrong.code).toBe(4);
    expect(wrong.err).toBe('SLC_ERR_UNAUTHORIZED: the token is not valid for this secret\n');
    const noSecret = await cli(['token', 'mint', '--role', 'admin']);
    expect(noSecret.code).toBe(2);
    expect(noSecret.err).toMatch(/^SLC_ERR_CONFIG: /);
  });
});
