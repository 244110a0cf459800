/**
 * The real `sluice` binary as a child process against a real server: the documented exit codes,
 * `--json` on stdout, tab-separated tables when piped, errors as `code: message` (no stack).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, useCliServer } from './helpers.js';

const SECRET = 'bin-test-secret-0123456789abcdef';

describe('sluice binary, no auth', () => {
  const server = useCliServer();

  it(
    'exit 0 with --json and with a piped table; exit 1 with the server code; exit 2 on usage',
    { timeout: 90_000 },
    async () => {
      const s = server();
      await s.queue('mail').add('send', { to: 'x' }, { id: 'j1' });
      const env = { SLUICE_URL: s.url };
      const json = await runCli(['queue', 'stats', 'mail', '--json'], env);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.out)).toMatchObject({ name: 'mail', waiting: 1 });
      const table = await runCli(['queue', 'jobs', 'mail'], env);
      expect(table).toMatchObject({ code: 0, err: '' });
      expect(table.out.split('\t').slice(0, 3)).toEqual(['j1', 'send', '0']);
      const missing = await runCli(['queue', 'stats', 'nope'], env);
      expect(missing).toMatchObject({ code: 1, out: '' });
      expect(missing.err).toBe('SLC_ERR_NOT_FOUND: queue nope is not known\n');
      const bad = await runCli(['queue', 'jobs', 'mail', '--token', 'secret-value'], env);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/^SLC_ERR_INVALID_OPTIONS: --token is refused/);
      expect(bad.err).not.toContain('secret-value');
      const unknown = await runCli(['queue', 'fly'], env);
      expect(unknown.code).toBe(2);
    },
  );

  it('a reader that goes away (`| head -1`) ends a live tail quietly, exit 0', async () => {
    const s = server();
    const topic = s.streams().topic('feed');
    for (let i = 0; i < 3; i++) await topic.publish({ i });
    const child = spawnCli(['topic', 'tail', 'feed', '--from-start'], { SLUICE_URL: s.url });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // what `head -1` does: read the first line, then close the pipe
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    // the next entry is written into the closed pipe
    const pub = setInterval(() => void topic.publish({ more: true }).catch(() => {}), 50);
    try {
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      expect(err).not.toMatch(/EPIPE|\n\s+at /);
    } finally {
      clearInterval(pub);
    }
  });

  it('exit 3 when the server cannot be reached, with no stack trace', async () => {
    const s = server();
    const url = s.url;
    await s.close();
    const r = await runCli(['queue', 'ls', '--url', url]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      /^SLC_ERR_CONNECTION: cannot reach the server at http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('sluice binary, with a secret', () => {
  const server = useCliServer(SECRET);

  it(
    'exit 4 without a token or with a bad one; 0 with a minted token from --token-file',
    { timeout: 90_000 },
    async () => {
      const s = server();
      await s.queue('mail').add('send', 1);
      const env = { SLUICE_URL: s.url };
      const none = await runCli(['queue', 'ls'], env);
      expect(none).toMatchObject({ code: 4, out: '' });
      expect(none.err).toMatch(/^SLC_ERR_UNAUTHORIZED: /);
      const forged = await runCli(['queue', 'ls'], { ...env, SLUICE_TOKEN: 'x.y.z' });
      expect(forged.code).toBe(4);
      const minted = await runCli(['token', 'mint', '--role', 'admin'], { SLUICE_SECRET: SECRET });
      expect(minted.code).toBe(0);
      const file = join(mkdtempSync(join(tmpdir(), 'sluice-cli-')), 'token');
      writeFileSync(file, minted.out);
      const ok = await runCli(['queue', 'ls', '--json', '--token-file', file], env);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.out)[0]).toMatchObject({ name: 'mail', waiting: 1 });
    },
  );
});
