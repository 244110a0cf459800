/** One run test per topic command against a real server (tail: see bin.test.ts / gateway). */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { cli, runCli, spawnCli, useCliServer, type CliServer } from './helpers.js';

const server = useCliServer();
const at = (s: CliServer) => ['--url', s.url];

describe('topic commands', () => {
  it('topic publish: JSON data, stdin with -, idempotency key', async () => {
    const s = server();
    const first = await cli(['topic', 'publish', 'chat', '{"text":"hi"}', '-k', 'm1', ...at(s)]);
    expect(first.code).toBe(0);
    const position = first.out.trim();
    const again = await cli([
      'topic',
      'publish',
      'chat',
      '{"text":"hi"}',
      '-k',
      'm1',
      '--json',
      ...at(s),
    ]);
    expect(JSON.parse(again.out)).toEqual({ position, duplicate: true });
    await cli(['topic', 'publish', 'chat', '-', ...at(s)], {}, { stdin: '[1,2]\n' });
    const page = await s.streams().topic('chat').range({ after: '0' });
    expect(page.entries.map((e) => e.data)).toEqual([{ text: 'hi' }, [1, 2]]);
    // a bare word goes as a string; broken JSON is a typo, refused (exit 2), nothing sent
    expect((await cli(['topic', 'publish', 'chat', 'hello', ...at(s)])).code).toBe(0);
    const typo = await cli(['topic', 'publish', 'chat', '{bad json', ...at(s)]);
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/not valid JSON/);
    const after = await s.streams().topic('chat').range({ after: '0' });
    expect(after.entries.map((e) => e.data)).toEqual([{ text: 'hi' }, [1, 2], 'hello']);
  });

  it('topic ls and topic info', async () => {
    const s = server();
    const topic = s.streams().topic('runs');
    await topic.publish({ n: 1 });
    await topic.publish({ n: 2 });
    const ls = await cli(['topic', 'ls', ...at(s)]);
    expect(ls.out.split('\t').slice(0, 2)).toEqual(['runs', '2']);
    const info = await cli(['topic', 'info', 'runs', '--json', ...at(s)]);
    expect(JSON.parse(info.out)).toMatchObject({ name: 'runs', length: 2, exists: true });
    const text = await cli(['topic', 'info', 'runs', ...at(s)]);
    expect(text.out).toContain('length\t2\n');
  });

  it('topic range: pages through the whole history (JSON Lines), bar only on a terminal', async () => {
    const s = server();
    const topic = s.streams().topic('log');
    for (let i = 0; i < 25; i++) await topic.publish({ i });
    const r = await cli(
      ['topic', 'range', 'log', '--page', '10', '--json', ...at(s)],
      {},
      { stderrTTY: true },
    );
    expect(r.code).toBe(0);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { data: { i: number } });
    expect(lines.map((e) => e.data.i)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(r.err).toContain('25/25');
    const piped = await cli(['topic', 'range', 'log', '--limit', '3', ...at(s)]);
    expect(piped.err).toBe('');
    expect(piped.out.trim().split('\n')).toHaveLength(3);
    // Resuming after the third entry's position gives the fourth.
    const third = piped.out.trim().split('\n')[2]!.split('\t')[0]!;
    const next = await cli([
      'topic',
      'range',
      'log',
      '--after',
      third,
      '-n',
      '1',
      '--json',
      ...at(s),
    ]);
    expect(JSON.parse(next.out).data).toEqual({ i: 3 });
  });
});

// Tail runs as the real binary: an in-process fetch pool keeps a spare idle connection open
// after the stream is aborted, which holds app.close(); a finished process holds nothing.
describe('topic tail (the real binary)', () => {
  it('replays history with --from-start, then follows live entries; --limit ends it', async () => {
    const s = server();
    const topic = s.streams().topic('feed');
    await topic.publish({ n: 1 });
    await topic.publish({ n: 2 });
    const tail = runCli([
      'topic',
      'tail',
      'feed',
      '--from-start',
      '-n',
      '3',
      '--json',
      '--url',
      s.url,
    ]);
    // The third entry is published after the replay; keep publishing until the tail has it.
    const live = setInterval(() => void topic.publish({ n: 3 }), 300);
    const r = await tail.finally(() => clearInterval(live));
    expect(r).toMatchObject({ code: 0, err: '' });
    const entries = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { position: string; data: unknown });
    expect(entries.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const kept = await topic.range({ after: '0', limit: 3 });
    expect(entries.map((e) => e.position)).toEqual(kept.entries.map((e) => e.position));
    // one line shape with topic range --json: position, id, time, data
    expect(entries).toEqual(
      kept.entries.map((e) => ({ position: e.position, id: e.id, time: e.time, data: e.data })),
    );
  });

  it('a stream that breaks off, or a server away for a while, is resumed after the last entry', async () => {
    // A stand-in server: the first stream sends one entry and breaks; the next two requests
    // find nothing listening well (503); then one resumes after the entry printed.
    const asked: (string | null)[] = [];
    const fake = createServer((req, res) => {
      asked.push(new URL(req.url!, 'http://x').searchParams.get('after'));
      if (asked.length === 2 || asked.length === 3) {
        res.writeHead(503, { 'content-type': 'application/json' });
        return res.end('{"error":{"code":"SLC_ERR_CONNECTION","message":"internal error"}}');
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const n = asked.length === 1 ? 1 : 2;
      res.write(`id: e1:${n}-0\nevent: entry\ndata: {"n":${n}}\n\n`);
      if (n === 1) setTimeout(() => res.socket?.destroy(), 50);
    });
    fake.listen(0, '127.0.0.1');
    await once(fake, 'listening');
    const { port } = fake.address() as { port: number };
    try {
      const r = await cli([
        'topic',
        'tail',
        'feed',
        '-n',
        '2',
        '--url',
        `http://127.0.0.1:${port}`,
      ]);
      expect(r.code).toBe(0);
      expect(r.out).toBe('e1:1-0\t{"n":1}\ne1:2-0\t{"n":2}\n');
      expect(r.err).toMatch(/retrying\n.*reconnected\n$/s);
      expect(asked).toEqual([null, 'e1:1-0', 'e1:1-0', 'e1:1-0']);
    } finally {
      fake.closeAllConnections();
      fake.close();
    }
  });

  it('stops on a deleted topic (204: do not reconnect), and on a bad --url, without retrying', async () => {
    let asked = 0;
    const gone = createServer((_req, res) => void (asked++, res.writeHead(204).end()));
    gone.listen(0, '127.0.0.1');
    await once(gone, 'listening');
    const { port } = gone.address() as { port: number };
    try {
      const r = await cli([
        'topic',
        'tail',
        'feed',
        '--after',
        'e1:1-0',
        '--url',
        `http://127.0.0.1:${port}`,
      ]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/was deleted/);
      expect(asked).toBe(1);
    } finally {
      gone.close();
    }
    expect((await cli(['topic', 'tail', 'feed', '--url', 'not a url'])).code).toBe(2);
  });

  it('stops cleanly (exit 0) on SIGINT', async () => {
    const s = server();
    await s.streams().topic('quiet').publish({ n: 1 });
    const child = spawnCli(['topic', 'tail', 'quiet', '--from-start', '--url', s.url]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await waitFor(() => out.includes('{"n":1}'), 'the replayed entry', 15_000);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
