/**
 * The wire frames of both protocols. An entry's frames are built once per entry object and
 * cached on it (weakly): the library hands one entry object to every local subscriber of a topic
 * (shared reader, shared ring), so a message fanned out to 10,000 clients is encoded once per
 * protocol, not once per client, and each client is handed the same Buffer.
 */
import type { EphemeralEntry, StreamEntry, Truncation } from '../../index.js';

type AnyEntry = StreamEntry | EphemeralEntry;

interface Encoded {
  sse?: Buffer;
  ws?: Buffer;
}

const cache = new WeakMap<AnyEntry, Encoded>();

function encoded(entry: AnyEntry): Encoded {
  let e = cache.get(entry);
  if (!e) cache.set(entry, (e = {}));
  return e;
}

/** Counts encodings (the bench and a test check it stays one per entry and protocol). */
export const encodeCounter = { sse: 0, ws: 0 };

/** `id: <position>` / `event: entry` / `data: <json>` (no `id:` for an ephemeral entry). */
export function sseEntry(entry: AnyEntry): Buffer {
  const e = encoded(entry);
  if (!e.sse) {
    encodeCounter.sse++;
    const id = entry.position === null ? '' : `id: ${entry.position}\n`;
    e.sse = Buffer.from(`${id}event: entry\ndata: ${JSON.stringify(entry.data)}\n\n`);
  }
  return e.sse;
}

/** `{"type":"entry","topic","position","data"}`. */
export function wsEntry(topic: string, entry: AnyEntry): Buffer {
  const e = encoded(entry);
  if (!e.ws) {
    encodeCounter.ws++;
    e.ws = Buffer.from(
      `{"type":"entry","topic":${JSON.stringify(topic)},"position":${JSON.stringify(entry.position)},"time":${entry.time},"data":${JSON.stringify(entry.data)}}`,
    );
  }
  return e.ws;
}

const wireFrames = new WeakMap<Buffer, Buffer>();

/**
 * The whole WebSocket text frame of a message — header (FIN, text opcode, length; a server's
 * frames are not masked) and payload in one Buffer — built once per message and cached on it, so
 * a fan-out hands the same bytes to every socket in one write (no per-socket framing).
 */
export function wsWireFrame(payload: Buffer): Buffer {
  let frame = wireFrames.get(payload);
  if (frame) return frame;
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x81;
  if (head === 2) frame[1] = n;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(frame, head);
  wireFrames.set(payload, frame);
  return frame;
}

/** An SSE event of a name with a JSON body (no `id:`, so the browser's resume point stays). */
export function sseEvent(event: string, body: unknown): Buffer {
  return Buffer.from(`event: ${event}\ndata: ${JSON.stringify(body)}\n\n`);
}

/** A WebSocket JSON message. */
export function wsMessage(body: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify(body));
}

/** The body of a `truncated` notice, in both protocols. */
export function truncatedBody(topic: string, t: Truncation): Record<string, unknown> {
  return { type: 'truncated', topic, reason: t.reason, firstAvailable: t.firstAvailable };
}
