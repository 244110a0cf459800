/**
 * A small Server-Sent Events reader over a `fetch` body (the CLI has no browser `EventSource`):
 * frames split on blank lines; `id:`, `event:`, `data:` fields; comments (heart-beats) skipped.
 */

/** One event as sent. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Parses one frame's lines; undefined for a frame with no data (a comment). Pure, for tests. */
export function parseFrame(frame: string): SseEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { ...(id !== undefined ? { id } : {}), event, data: data.join('\n') };
}

/** Yields the events of a streaming body until it ends (or its request is aborted). */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buf = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let end: RegExpExecArray | null;
      while ((end = /\r?\n\r?\n/.exec(buf))) {
        const ev = parseFrame(buf.slice(0, end.index));
        buf = buf.slice(end.index + end[0].length);
        if (ev) yield ev;
      }
    }
  } finally {
    // Cancelling (not just releasing) closes the connection, so the server sees the client go.
    await reader.cancel().catch(() => {});
  }
}
