/**
 * Where `top` gets its snapshots, behind one small interface: {@link pollFetcher} asks
 * `GET /v1/queues` every interval. A push source (an SSE stats stream) fits the same interface.
 */
import type { Api } from '../client.js';
import type { QueueStats } from '../wire.js';

/** A source of queue snapshots. `start` calls back on each one (or each failure) until `stop`. */
export interface QueueFetcher {
  /** Shown in `top`'s header. */
  readonly source: string;
  start(
    onSnapshot: (queues: QueueStats[], at: number) => void,
    onError: (err: unknown) => void,
  ): void;
  stop(): void;
}

/** Polls `GET /v1/queues` every `intervalMs` (the next ask starts after the last answer). */
export function pollFetcher(api: Api, intervalMs: number): QueueFetcher {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  return {
    source: `${api.url} (every ${intervalMs} ms)`,
    start(onSnapshot, onError) {
      const tick = async () => {
        try {
          const body = await api.get<{ queues: QueueStats[] }>('/v1/queues');
          if (!stopped) onSnapshot(body.queues, Date.now());
        } catch (err) {
          if (!stopped) onError(err);
        }
        if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
      };
      void tick();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
