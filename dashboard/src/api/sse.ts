/**
 * Server-Sent Events over `fetch`, so the token travels in the `Authorization` header instead of
 * the URL (EventSource cannot set headers). Reconnects after a drop, sending `Last-Event-ID` so
 * a topic tail resumes with no gap and no duplicate. Framing is `eventsource-parser`'s.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { authHeaders } from './client.js';

/** One parsed event (`event` defaults to `message`, as in a browser). */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
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
        const reader = res.body
          .pipeThrough(new TextDecoderStream())
          .pipeThrough(new EventSourceParserStream())
          .getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          if (value.id) lastId = value.id;
          onEvent({ event: value.event ?? 'message', data: value.data, id: value.id });
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
