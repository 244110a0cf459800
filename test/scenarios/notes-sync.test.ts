/**
 * Scenario 1, notes sync. A notes service mirrors note changes to a chat bot API, a social
 * network API and a search index. Chat and social are tried directly and queued only on failure
 * (`tryOrEnqueue`), each queue with its own retry policy; the search index takes batches. An
 * operator who uses only the HTTP API (the contract in DESIGN.md) reads each queue's stats,
 * retries the dead letters, pauses a target during an outage and clears a queue.
 *
 * Retries are stepped through by promoting the delayed job: the test asserts the scheduled times
 * (delayed-set score minus the failure time, both on Redis's clock) against the policy, never
 * how fast anything ran.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Queue } from '../../src/index.js';
import { createServer, resolveConfig, type SluiceServer } from '../../src/server/index.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';
import { BatchingIndex, NotesService, OutsideApi, type NoteChange } from './notes-sync.service.js';

let server: SluiceServer;
let notes: NotesService;
let base: string;

/** The operator: HTTP only. */
const operator = {
  async stats(queue: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${base}/v1/queues/${queue}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  },
  async queueNames(): Promise<string[]> {
    const res = await fetch(`${base}/v1/queues`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
  },
  async count(queue: string, state: string): Promise<number> {
    return (await this.stats(queue))[state] as number;
  },
  async act(queue: string, action: string, body: unknown = {}): Promise<void> {
    const res = await fetch(`${base}/v1/queues/${queue}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, `${action} ${queue}`).toBeLessThan(300);
    await res.arrayBuffer();
  },
};

/**
 * Lets job `id` fail `retries` times, promoting it after each failure; returns each scheduled
 * delay (delayed-set score − failure time, Redis clock). Then waits for it to be dead-lettered.
 */
async function scheduledDelays(q: Queue<NoteChange>, id: string, retries: number) {
  const delays: number[] = [];
  for (let i = 1; i <= retries; i++) {
    const job = await waitFor(async () => {
      const j = await q.getJob(id);
      return j?.state === 'delayed' && j.history.length === i ? j : undefined;
    }, `${q.name} ${id} delayed after failure ${i}`);
    delays.push(job!.timestamp! - job!.history.at(-1)!.at);
    await q.promote(id);
  }
  const dead = await waitFor(async () => {
    const j = await q.getJob(id);
    return j?.state === 'failed' ? j : undefined;
  }, `${id} failed`);
  expect(dead!.attemptsMade).toBe(retries + 1);
  return delays;
}

const change = (noteId: number, rev = 1): NoteChange => ({ noteId, rev, text: `note ${noteId}` });

beforeEach(async () => {
  const config = resolveConfig(
    { port: 0, logLevel: 'silent' },
    { REDIS_URL: redisUrl(), SLUICE_PREFIX: uniquePrefix() },
  );
  server = await createServer({ config });
  base = await server.listen();
  const apis = {
    chat: new OutsideApi('chat'),
    social: new OutsideApi('social'),
    index: new BatchingIndex(10),
  };
  notes = new NotesService(config.redisUrl, config.prefix, apis);
});

afterEach(async () => {
  await notes.close();
  await server.close();
});

describe('scenario: notes sync', () => {
  it('queues only failed direct calls, retries per policy, and is operated over HTTP', async () => {
    const { chat, social, index } = notes.apis;
    // The operator sees the three targets (their workers registered them) before any job exists,
    // and holds the search queue: updates pile up, then drain in batches later.
    await waitFor(async () => (await operator.queueNames()).includes('search'), 'search listed');
    expect(await operator.queueNames()).toEqual(expect.arrayContaining(['chat', 'social']));
    await operator.act('search', 'pause');

    // Chat is down: its call is queued; social answers directly and nothing is queued for it.
    chat.up = false;
    const first = await notes.noteChanged(change(1));
    expect(first.chat).toMatchObject({ outcome: 'enqueued', id: 'note-1-r1', created: true });
    expect(first.social).toEqual({ outcome: 'direct', value: undefined });
    expect(social.received.map((c) => c.noteId)).toEqual([1]);
    expect(await notes.social.getJob('note-1-r1')).toBeUndefined();
    // chat: 3 retries at 60 s × 2 (cap 60 min not reached), then the dead letter.
    expect(await scheduledDelays(notes.chat, 'note-1-r1', 3)).toEqual([60_000, 120_000, 240_000]);

    // Now social is down and chat is back.
    chat.up = true;
    social.up = false;
    const second = await notes.noteChanged(change(2));
    expect(second.chat.outcome).toBe('direct');
    expect(second.social).toMatchObject({ outcome: 'enqueued', created: true });
    // social: 5 retries at 30 s × 1.5.
    expect(await scheduledDelays(notes.social, 'note-2-r1', 5)).toEqual([
      30_000, 45_000, 67_500, 101_250, 151_875,
    ]);

    // The operator sees one dead letter on each, and retries them once the APIs are back.
    expect(await operator.count('chat', 'failed')).toBe(1);
    expect(await operator.count('social', 'failed')).toBe(1);
    social.up = true;
    await operator.act('chat', 'retry-failed');
    await operator.act('social', 'retry-failed', { ids: ['note-2-r1'] });
    await waitFor(async () => (await operator.count('chat', 'completed')) === 1, 'chat retried');
    await waitFor(
      async () => (await operator.count('social', 'completed')) === 1,
      'social retried',
    );
    expect(await operator.count('chat', 'failed')).toBe(0);
    expect(chat.received.map((c) => c.noteId)).toEqual([2, 1]);
    expect(social.received.map((c) => c.noteId)).toEqual([1, 2]);

    // An outage of the social network: the operator pauses its queue; changes pile up, unrun.
    social.up = false;
    await operator.act('social', 'pause');
    for (const n of [3, 4, 5])
      expect((await notes.noteChanged(change(n))).social.outcome).toBe('enqueued');
    const held = await operator.stats('social');
    expect(held.paused).toBe(true);
    expect(await operator.count('social', 'waiting')).toBe(3);
    expect(await operator.count('social', 'active')).toBe(0);
    social.up = true;
    await operator.act('social', 'resume');
    await waitFor(async () => (await operator.count('social', 'completed')) === 4, 'backlog done');
    expect(social.received.map((c) => c.noteId).sort()).toEqual([1, 2, 3, 4, 5]);
    // Chat stayed up for notes 3–5: answered directly, nothing more was queued.
    expect(((await operator.stats('chat')).totals as { completed: number }).completed).toBe(1);

    // The search queue is released: its handler indexed the backlog in batches.
    expect(await operator.count('search', 'waiting')).toBe(5);
    await operator.act('search', 'resume');
    await waitFor(async () => (await operator.count('search', 'completed')) === 5, 'indexed');
    expect(
      index.calls
        .flat()
        .map((c) => c.noteId)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5]);
    expect(index.calls.length).toBeLessThan(5);

    // The operator clears a queue: pending search updates are dropped, never indexed.
    await operator.act('search', 'pause');
    for (const n of [6, 7, 8]) await notes.noteChanged(change(n));
    expect(await operator.count('search', 'waiting')).toBe(3);
    await operator.act('search', 'clear');
    expect(await operator.count('search', 'waiting')).toBe(0);
    await operator.act('search', 'resume');
    expect(index.calls.flat().map((c) => c.noteId)).not.toContain(6);
  });
});
