/**
 * The fetch loop keeps a send it could not make: a wake-up (a partition's slot coming free, new
 * acks) that arrives while every call slot is taken is made once the call returns, not dropped;
 * an ack whose reply comes after that of the wait it rode with does not leave the loop stalled.
 */
import { expect, it } from 'vitest';
import { FetchLoop, type FetchHost } from '../../src/queue/worker/fetching/fetch-loop.js';

it('a wake-up during a call in flight is sent when that call returns', async () => {
  const calls: string[] = [];
  const replies: ((r: unknown) => void)[] = [];
  let free = 0; // every slot taken: the first call only acks
  let acks = [{ id: 'j1', token: 't', result: '', job: undefined, value: undefined }];
  const host = {
    commands: {
      fetch: () => (calls.push('fetch'), new Promise((r) => replies.push(r))),
      complete: () => (calls.push('complete'), new Promise((r) => replies.push(r))),
    },
    wake: { waiting: false, wait: () => void calls.push('wait') },
    capacity: () => 1,
    leaseMs: 30_000,
    leadMs: 0,
    keepCompleted: { count: 0, ageMs: 0 },
    batches: false,
    // a partition's member: its wait carries no fetch, and the shared budget grants what is free
    part: { budget: { claim: (_m: number, want: number) => want, settle: () => {} }, member: 0 },
    isStarted: () => true,
    isClosing: () => false,
    isEnded: () => false,
    freeSlots: () => free,
    takeAcks: () => {
      const a = acks;
      acks = [];
      return a;
    },
    pendingAcks: () => acks.length,
    putBackAcks: () => {},
    running: () => 0,
    tokenBase: () => 't',
    settleAcks: () => {},
    observeClock: () => {},
    startJob: () => {},
    afterReply: () => {},
    onEmpty: () => {},
    release: () => {},
    reportError: (e: unknown) => {
      throw e;
    },
    checkIdle: () => {},
  } as unknown as FetchHost<unknown, unknown>;
  const loop = new FetchLoop(host);
  loop.pump();
  await new Promise((r) => setImmediate(r));
  expect(calls).toEqual(['complete']); // the ack, asking for no job
  free = 1; // a slot comes free (a partition's budget wakes this member) …
  loop.fetchNow(); // … while the one call slot is taken
  await new Promise((r) => setImmediate(r));
  expect(calls).toEqual(['complete']);
  replies[0]!({ stale: [], now: 1, nowExact: 1, nextDue: -1, jobs: [] });
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  // the owed send goes once the call returned (before the fix: nothing, the wake-up was lost)
  expect(calls).toEqual(['complete', 'fetch']);
});

it('an ack that rode with a wait and came back after it (NOSCRIPT, sent again): waits again', async () => {
  const waits: ((r: unknown) => void)[] = [];
  const ackReplies: ((r: unknown) => void)[] = [];
  let acks: unknown[] = [];
  const host = {
    commands: {
      // the first fetch brings one job (of two asked): the queue is dry, the worker will wait
      fetch: () => Promise.resolve({ now: 1, nowExact: 1, nextDue: -1, jobs: [{ id: 'j1' }] }),
      complete: () => Promise.reject(new Error('the ack goes with the wait')),
    },
    wake: {
      waiting: false,
      wait(_want: number, _lease: number, _token: string, before?: (c: unknown) => void) {
        host.wake.waiting = true;
        before?.({ complete: () => new Promise((r) => ackReplies.push(r)) });
        return new Promise((r) => waits.push(r)).finally(() => (host.wake.waiting = false));
      },
    },
    capacity: () => 2,
    leaseMs: 30_000,
    leadMs: 0,
    keepCompleted: { count: 0, ageMs: 0 },
    batches: false,
    part: undefined,
    isStarted: () => true,
    isClosing: () => false,
    isEnded: () => false,
    freeSlots: () => 2,
    takeAcks: () => {
      const a = acks;
      acks = [];
      return a;
    },
    pendingAcks: () => acks.length,
    putBackAcks: () => {},
    running: () => 0,
    tokenBase: () => 't',
    settleAcks: () => {},
    observeClock: () => {},
    // the handler finishes at once: its ack is pending when the loop goes to wait
    startJob: (j: { id: string }) => void acks.push({ id: j.id, token: 't', result: '' }),
    afterReply: () => {},
    onEmpty: () => {},
    release: () => {},
    reportError: (e: unknown) => {
      throw e;
    },
    checkIdle: () => {},
  } as unknown as FetchHost<unknown, unknown> & { wake: { waiting: boolean } };
  const loop = new FetchLoop(host);
  const turns = async () => {
    for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
  };
  loop.pump();
  await turns();
  expect(waits.length).toBe(1); // the ack of j1 rides with this wait
  expect(ackReplies.length).toBe(1);
  waits[0]!({ now: 2, nowExact: 2, nextDue: -1, jobs: [] }); // the wait's reply first …
  await turns();
  ackReplies[0]!({ stale: [], now: 3, nowExact: 3, nextDue: -1, jobs: [] }); // … then the ack's
  await turns();
  // before the fix: one wait only; the worker never waited again (and never ran a job again)
  expect(waits.length).toBe(2);
});
