/** One run test per topic command against a real server (tail: see bin.test.ts / gateway). */
import { describe, expect, it } from 'vitest';
import { cli, useCliServer, type CliServer } from './helpers.js';

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
