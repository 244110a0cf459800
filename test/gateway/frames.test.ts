/**
 * The fan-out write path: a WebSocket frame built once per message (header and payload in one
 * Buffer) parses back to the same message in `ws`'s own receiver at every length encoding; and
 * a socket's writes are batched per event-loop turn — a lone frame sent at once, then corked,
 * flushed every 64 frames and at the end of the turn — counted on the stream's cork/uncork calls.
 */
import { describe, expect, it } from 'vitest';
import type { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import { wsWireFrame } from '../../src/server/gateway/frames.js';
import { FLUSH_EVERY, TickBatch } from '../../src/server/gateway/batch.js';

describe('wire frames', () => {
  it.each([0, 5, 125, 126, 1000, 65_535, 65_536, 200_000])(
    'a %i-byte text message parses back intact, built once',
    async (n) => {
      const payload = Buffer.from('x'.repeat(n));
      const frame = wsWireFrame(payload);
      expect(wsWireFrame(payload)).toBe(frame); // cached on the message
      // ws's own frame parser (in its CommonJS entry, not in its type declarations).
      const { Receiver } = createRequire(import.meta.url)('ws') as {
        Receiver: new (o: object) => Writable;
      };
      const receiver = new Receiver({ isServer: false, maxPayload: 0 });
      const got = new Promise<{ data: Buffer; binary: boolean }>((resolve, reject) => {
        receiver.on('message', (data: Buffer, binary: boolean) => resolve({ data, binary }));
        receiver.on('error', reject);
      });
      receiver.write(frame);
      const { data, binary } = await got;
      expect(binary).toBe(false);
      expect(data.equals(payload)).toBe(true);
      expect(frame.length).toBe(n + (n < 126 ? 2 : n < 65_536 ? 4 : 10));
    },
  );
});

describe('writes batched per turn', () => {
  it('sends a lone frame at once; corks from the second, flushes every 64 and at turn end', async () => {
    const calls: string[] = [];
    const batch = new TickBatch({
      cork: () => calls.push('cork'),
      uncork: () => calls.push('uncork'),
    });
    const turn = () => new Promise((r) => setImmediate(r));
    batch.beforeWrite(); // one frame in a turn: never corked
    await turn();
    expect(calls).toEqual([]);
    for (let i = 0; i < 1 + 2 * FLUSH_EVERY + 10; i++) batch.beforeWrite();
    // Within the turn: the first straight out, then corked, flushed after each 64 more.
    expect(calls).toEqual(['cork', 'uncork', 'cork', 'uncork', 'cork']);
    await turn();
    expect(calls).toEqual(['cork', 'uncork', 'cork', 'uncork', 'cork', 'uncork']); // the tail
    batch.beforeWrite();
    batch.beforeWrite(); // the next turn batches again
    await turn();
    expect(calls.slice(6)).toEqual(['cork', 'uncork']);
  });
});
