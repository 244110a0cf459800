/** One topic: length, groups (lag, pending, dead letters), and a live tail with pause / resume. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { openSse } from '../../api/sse.js';
import type { TopicEntry } from '../../api/types.js';
import { formatAge } from '../../charts/series.js';
import { Card, Counts, ErrorLine } from '../../components/ui.js';
import { keys } from '../../hooks/keys.js';
import { useTopic } from '../../hooks/resources.js';
import { invalidate } from '../../hooks/store.js';
import { href } from '../../router.js';

const KEEP = 200;
/** While the tail brings entries, the topic's counts are read again at most this often. */
const COUNTS_EVERY_MS = 1000;

/** Refreshes `topic`'s counts after new entries: at once, then at most every second (trailing). */
function countsRefresher(topic: string): { entry(): void; stop(): void } {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refresh = () => {
    timer = undefined;
    last = Date.now();
    invalidate(keys.topic(topic));
  };
  return {
    entry() {
      if (timer) return;
      const wait = last + COUNTS_EVERY_MS - Date.now();
      if (wait <= 0) refresh();
      else timer = setTimeout(refresh, wait);
    },
    stop: () => clearTimeout(timer),
  };
}

/** Tails a topic over SSE while not paused; resumes from the last shown entry (no gap). */
function useTail(topic: string, paused: boolean) {
  const [entries, setEntries] = useState<TopicEntry[]>([]);
  const [open, setOpen] = useState(false);
  const last = useRef<string>();
  // Entries that arrive between a click on Pause and the stream's close are dropped, not shown:
  // Resume reconnects after the last shown entry (Last-Event-ID), so they come back then.
  const pausedNow = useRef(paused);
  pausedNow.current = paused;
  useEffect(() => {
    if (paused) return;
    const counts = countsRefresher(topic);
    const close = openSse(
      `v1/topics/${encodeURIComponent(topic)}/events`,
      (e) => {
        if (e.event !== 'entry' || !e.id || pausedNow.current) return;
        last.current = e.id;
        const entry = { position: e.id, data: JSON.parse(e.data) as unknown };
        setEntries((prev) => [entry, ...prev].slice(0, KEEP));
        counts.entry(); // the length and added cards follow the tail
      },
      { ...(last.current ? { lastId: last.current } : {}), onState: setOpen },
    );
    return () => {
      close();
      counts.stop();
      setOpen(false);
    };
  }, [topic, paused]);
  return { entries, open };
}

export function TopicPage({ topic }: { topic: string }) {
  const { data: t, error } = useTopic(topic);
  const [paused, setPaused] = useState(false);
  const tail = useTail(topic, paused);
  return (
    <div class="page topic">
      <p class="crumbs">
        <a href={href.overview()}>Overview</a> / <a href={href.topics()}>Topics</a> / {topic}
      </p>
      <h1>{topic}</h1>
      <ErrorLine error={error} />
      {t && (
        <>
          <Counts c={{ length: t.length, added: t.entriesAdded, groups: t.groups.length }} />
          <p class="muted">
            first {t.first ?? '–'} · last {t.last ?? '–'} · epoch {t.epoch ?? '–'}
          </p>
          <Card title="Groups">
            <table class="groups">
              <thead>
                <tr>
                  <th>group</th>
                  <th>lag</th>
                  <th>pending</th>
                  <th>oldest pending</th>
                  <th>dead letters</th>
                  <th>consumers</th>
                </tr>
              </thead>
              <tbody>
                {t.groups.map((g) => (
                  <tr key={g.name} data-group={g.name}>
                    <td>{g.name}</td>
                    <td>{g.lag}</td>
                    <td>{g.pending}</td>
                    <td>{formatAge(g.oldestPendingAgeMs)}</td>
                    <td class={g.deadLetters > 0 ? 'bad' : ''}>{g.deadLetters}</td>
                    <td>{g.consumers.map((c) => c.name).join(', ') || '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </>
      )}
      <Card title="Live tail">
        <div class="actions">
          <button onClick={() => setPaused(!paused)}>{paused ? 'Resume' : 'Pause'}</button>
          <span class={`dot ${tail.open && !paused ? 'on' : ''}`}>
            {paused ? 'paused' : tail.open ? 'live' : 'connecting…'}
          </span>
        </div>
        <ol class="tail">
          {tail.entries.map((e) => (
            <li key={e.position} data-position={e.position}>
              <code>{e.position}</code> {JSON.stringify(e.data)}
            </li>
          ))}
        </ol>
      </Card>
    </div>
  );
}
