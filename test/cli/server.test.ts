/** `sluice server` as the real binary: prints its URL, serves the API, stops on SIGINT (exit 0). */
import { describe, expect, it } from 'vitest';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';
import { cli, runCli, spawnCli } from './helpers.js';

describe('sluice server', () => {
  it('serves the admin API the CLI talks to, then closes cleanly on SIGINT', async () => {
    const child = spawnCli(
      ['server', '--port', '0', '--prefix', uniquePrefix(), '--log-level', 'silent'],
      { REDIS_URL: redisUrl() },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const url = (await waitFor(() => /open (http:\S+)/.exec(out)?.[1], 'the URL line', 20_000))!;
    expect(out.split('\n')[0]).toBe(`Sluice is running: open ${url}`);
    const ls = await cli(['queue', 'ls', '--json', '--url', url]);
    expect(ls).toMatchObject({ code: 0, out: '[]\n' });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('says in its first log line that with no secret it is loopback-only', async () => {
    const child = spawnCli(['server', '--port', '0', '--prefix', uniquePrefix()], {
      REDIS_URL: redisUrl(),
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await waitFor(() => /open (http:\S+)/.exec(out)?.[1], 'the URL line', 20_000);
    const first = JSON.parse(out.split('\n')[0]!) as { level: number; msg: string };
    expect(first).toMatchObject({ level: 40, msg: expect.stringContaining('no SLUICE_SECRET') });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('exits 2 with the config problem when the configuration is invalid', async () => {
    const r = await runCli(['server', '--host', '0.0.0.0', '--log-level', 'silent'], {
      REDIS_URL: redisUrl(),
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^SLC_ERR_CONFIG: invalid configuration: host 0\.0\.0\.0 needs a secret/);
  });
});
