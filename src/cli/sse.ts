/**
 * Server-Sent Events over a `fetch` body (the CLI has no browser `EventSource`). Framing is
 * `eventsource-parser`'s (the parser the `eventsource` package is built on), not ours.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';

/** One event as sent (`event` defaults to `message`, as in a browser). */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Yields the events of a streaming body until it ends (or its request is aborted). */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield {
        ...(value.id !== undefined ? { id: value.id } : {}),
        event: value.event ?? 'message',
        data: value.data,
      };
    }
  } finally {
    // Cancelling (not just releasing) closes the connection, so the server sees the client go.
    await reader.cancel().catch(() => {});
  }
}
