/**
 * `sluice top`: state and drawer as pure functions; keys; and the real binary against a real
 * server, drawing frames until `q` on stdin, or until SIGINT.
 */
import { describe, expect, it } from 'vitest';
import { drawFrame } from '../../src/cli/top/drawer.js';
import { keyAction, splitKeys } from '../../src/cli/top/keys.js';
import { initialState, reduce } from '../../src/cli/top/state.js';
import type { QueueStats } from '../../src/cli/wire.js';
import { waitFor } from '../harness/context.js';
import { cli, spawnCli, useCliServer } from './helpers.js';

const stats = (name: string, o: Partial<QueueStats> = {}): QueueStats => ({
  name,
  waiting: 0,
  active: 0,
  delayed: 0,
  completed: 0,
  failed: 0,
  paused: false,
  oldestWaitingAgeMs: null,
  totals: { completed: 0, failed: 0 },
  perMinute: { completed: 0, failed: 0 },
  history: { completed: [], failed: [] },
  ...o,
});
const screen = { columns: 120, rows: 24, color: false, source: 'http://x' };

describe('top state', () => {
  it('computes rates from two snapshots and sorts by waiting', () => {
    let s = reduce(initialState(), {
      type: 'snapshot',
      at: 1000,
      queues: [
        stats('a', { waiting: 1 }),
        stats('b', { waiting: 5, totals: { completed: 10, failed: 0 } }),
      ],
    });
    expect(s.rows.map((r) => [r.stats.name, r.completedPerSec])).toEqual([
      ['b', null],
      ['a', null],
    ]);
    s = reduce(s, {
      type: 'snapshot',
      at: 3000,
      queues: [
        stats('a', { waiting: 1 }),
        stats('b', { waiting: 5, totals: { completed: 30, failed: 4 } }),
      ],
    });
    expect(s.rows[0]).toMatchObject({ completedPerSec: 10, failedPerSec: 2 });
    expect(s.rows[1]).toMatchObject({ completedPerSec: 0, failedPerSec: 0 });
  });

  it('moves the selection within bounds, cycles sort, keeps an error until the next snapshot', () => {
    let s = reduce(initialState(), { type: 'snapshot', at: 1, queues: [stats('a'), stats('b')] });
    s = reduce(reduce(reduce(s, { type: 'move', by: 1 }), { type: 'move', by: 1 }), {
      type: 'move',
      by: 1,
    });
    expect(s.selected).toBe(1);
    s = reduce(s, { type: 'move', by: -5 });
    expect(s.selected).toBe(0);
    expect(reduce(s, { type: 'sort' }).sort).toBe('failed');
    s = reduce(s, { type: 'error', message: 'SLC_ERR_CONNECTION: down' });
    expect(s.error).toBe('SLC_ERR_CONNECTION: down');
    expect(reduce(s, { type: 'snapshot', at: 2, queues: [] }).error).toBeUndefined();
  });
});

describe('top drawer', () => {
  it('draws header, columns and rows; the selected row in reverse video with color', () => {
    const s = reduce(initialState(), {
      type: 'snapshot',
      at: Date.UTC(2026, 0, 1, 12, 30, 5),
      queues: [stats('mail', { waiting: 12, paused: true, oldestWaitingAgeMs: 90_000 })],
    });
    const lines = drawFrame(s, screen);
    expect(lines[0]).toBe('sluice top  http://x  1 queues  12:30:05  sort: waiting');
    expect(lines[2]).toMatch(/^QUEUE\s+STATE\s+WAITING/);
    expect(lines[3]).toMatch(/^mail\s+paused\s+12\s+0\s+0\s+0\s+-\s+-\s+2m$/);
    expect(lines.at(-1)).toContain('q quit');
    // eslint-disable-next-line no-control-regex
    expect(drawFrame(s, { ...screen, color: true })[3]).toMatch(/^\x1b\[7m.*\x1b\[27m$/);
  });

  it('fits the terminal: rows scroll to keep the selection, lines cut at the width', () => {
    const queues = Array.from({ length: 30 }, (_, i) => stats(`q${String(i).padStart(2, '0')}`));
    let s = reduce(initialState(), { type: 'snapshot', at: 1, queues });
    s = reduce(s, { type: 'move', by: 25 });
    const lines = drawFrame(s, { ...screen, rows: 10, columns: 30 });
    expect(lines).toHaveLength(10);
    expect(lines.every((l) => l.length <= 30)).toBe(true);
    expect(lines[8]).toMatch(/^q25/);
  });

  it('maps keys: q and Ctrl-C quit, j/k and arrows move, s sorts', () => {
    expect(splitKeys('jk\x1b[Aq')).toEqual(['j', 'k', '\x1b[A', 'q']);
    expect(keyAction('q')).toBe('quit');
    expect(keyAction('\x03')).toBe('quit');
    expect(keyAction('\x1b[B')).toEqual({ type: 'move', by: 1 });
    expect(keyAction('s')).toEqual({ type: 'sort' });
    expect(keyAction('x')).toBeUndefined();
  });
});

describe('sluice top (the real binary)', () => {
  const server = useCliServer();

  async function startTop() {
    const s = server();
    await s.queue('mail').add('x', 1);
    const child = spawnCli(['top', '--interval', '200', '--url', s.url]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await waitFor(() => /\nmail\s+running\s+1/.test(out), 'a frame with the queue', 15_000);
    return { child, exited, out: () => out };
  }

  it('draws frames until q is pressed, then exits 0', async () => {
    const { child, exited } = await startTop();
    child.stdin.write('q');
    expect(await exited).toBe(0);
  });

  it('exits 0 on SIGINT', async () => {
    const { child, exited } = await startTop();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('--once: every queue in the printed frame; a failure exits with its own code', async () => {
    const s = server();
    for (let i = 0; i < 30; i++) await s.queue(`q${String(i).padStart(2, '0')}`).add('x', 1);
    const once = await cli(['top', '--once', '--url', s.url]);
    expect(once.code).toBe(0);
    for (let i = 0; i < 30; i++) expect(once.out).toContain(`q${String(i).padStart(2, '0')} `);
    // nothing listens on port 1: unreachable is exit 3, said on stderr as code: message
    const down = await cli(['top', '--once', '--url', 'http://127.0.0.1:1']);
    expect(down.code).toBe(3);
    expect(down.err).toMatch(/^SLC_ERR_CONNECTION: /);
  });
});
