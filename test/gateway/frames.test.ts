/**
 * The fan-out write path: a WebSocket frame built once per message (header and payload in one
 * Buffer) parses back to the same message in `ws`'s own receiver at every length encoding; and
 * a socket's writes are batched per event-loop turn — corked once, flushed every 64 frames and
 * at the end of the turn — counted on the stream's cork/uncork calls.
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
  it('corks on the first write of a turn, flushes every 64 and when the turn ends', async () => {
    const calls: string[] = [];
    const batch = new TickBatch({
      cork: () => calls.push('cork'),
      uncork: () => calls.push('uncork'),
    });
    for (let i = 0; i < 2 * FLUSH_EVERY + 10; i++) batch.beforeWrite();
    // Within the turn: corked at once, flushed (uncork + cork) after each 64 frames.
    expect(calls).toEqual(['cork', 'uncork', 'cork', 'uncork', 'cork']);
    await new Promise((r) => setImmediate(r));
    expect(calls.at(-1)).toBe('uncork'); // the turn's tail went out
    expect(calls).toHaveLength(6);
    batch.beforeWrite(); // the next turn corks again
    await new Promise((r) => setImmediate(r));
    expect(calls.slice(6)).toEqual(['cork', 'uncork']);
  });
});
