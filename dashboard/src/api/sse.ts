/**
 * Server-Sent Events over `fetch`, so the token travels in the `Authorization` header instead of
 * the URL (EventSource cannot set headers). Reconnects after a drop, sending `Last-Event-ID` so
 * a topic tail resumes with no gap and no duplicate.
 */
import { authHeaders } from './client.js';

/** One parsed event. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/** Splits a text/event-stream buffer into complete events and the unfinished rest. */
export function parseSse(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (data.length > 0) events.push({ event, data: data.join('\n'), id });
  }
  return { events, rest };
}

/** Opens a stream; returns the function that closes it. `lastId` resumes a topic tail. */
export function openSse(
  path: string,
  onEvent: (e: SseEvent) => void,
  opts: { lastId?: string; onState?: (open: boolean) => void } = {},
): () => void {
  const abort = new AbortController();
  let lastId = opts.lastId;
  let closed = false;
  const run = async (): Promise<void> => {
    while (!closed) {
      try {
        const res = await fetch(path, {
          headers: { ...authHeaders(), ...(lastId ? { 'last-event-id': lastId } : {}) },
          signal: abort.signal,
        });
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
        opts.onState?.(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const parsed = parseSse(buffer + value);
          buffer = parsed.rest;
          for (const e of parsed.events) {
            if (e.id) lastId = e.id;
            onEvent(e);
          }
        }
      } catch {
        // dropped or refused: wait and try again (unless closed)
      }
      opts.onState?.(false);
      if (!closed) await new Promise((r) => setTimeout(r, 2000));
    }
  };
  void run();
  return () => {
    closed = true;
    abort.abort();
  };
}
