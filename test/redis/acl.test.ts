/**
 * The least-privilege ACL user of docs/operations.md, created from the exact line on that page:
 * the whole lifecycle runs as it; a user lacking one permission gets a typed error, not a crash.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue, Streams, Worker, type SluiceError } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { RedisServer } from '../harness/redis-server.js';
import { runWholeLifecycle } from './lifecycle-all.js';

const DOC = new URL('../../docs/operations.md', import.meta.url);
let server: RedisServer;
let admin: Redis;

/** The `ACL SETUSER sluice …` line of the docs, as arguments, for `user` on `prefix`. */
function documentedRule(user: string, password: string, prefix: string): string[] {
  const line = readFileSync(DOC, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('ACL SETUSER sluice '));
  if (!line) throw new Error('docs/operations.md has no ACL SETUSER line');
  return line
    .split(' ')
    .slice(2)
    .map((a, i) => {
      if (i === 0) return user;
      if (a === '>change-me') return `>${password}`;
      return a.replace(/^([~&])sluice:\*$/, `$1${prefix}:*`);
    });
}

/** FUNCTION LOADs the server was sent so far, refused ones too (all users). */
async function loadCalls(): Promise<number> {
  const info = await admin.info('commandstats');
  const m = /^cmdstat_function\|load:calls=(\d+).*rejected_calls=(\d+)/m.exec(info);
  return m ? Number(m[1]) + Number(m[2]) : 0;
}

/** FCALLs the server ran so far (all users). */
async function fcalls(): Promise<number> {
  const info = await admin.info('commandstats');
  return Number(/^cmdstat_fcall:calls=(\d+)/m.exec(info)?.[1] ?? 0);
}

beforeAll(async () => {
  server = await RedisServer.start();
  admin = new Redis(server.url);
});
afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

const url = (user: string) => `redis://${user}:pw-${user}@127.0.0.1:${server.port}`;

it('the documented user runs the whole lifecycle', async () => {
  const rule = documentedRule('app', 'pw-app', 'app');
  expect(rule).toContain('~app:*');
  expect(rule).toContain('&app:*');
  await admin.call('ACL', 'SETUSER', ...rule);
  const before = await fcalls();
  await runWholeLifecycle(url('app'), 'app');
  expect(await fcalls()).toBeGreaterThan(before); // the scripts ran as functions
  // It did run as that user, who can do nothing outside the prefix.
  const raw = new Redis(url('app'));
  try {
    await expect(raw.set('other:key', '1')).rejects.toThrow(/NOPERM/);
    await expect(raw.call('CONFIG', 'GET', 'maxmemory')).rejects.toThrow(/NOPERM/);
  } finally {
    raw.disconnect();
  }
});

it('a user lacking a permission gets SLC_ERR_NO_PERMISSION, and a Worker keeps running', async () => {
  // No FCALL / EVALSHA / EVAL: no script runs, so neither adds nor fetches.
  const rule = documentedRule('noscript', 'pw-noscript', 'ns').filter(
    (a) => !['+evalsha', '+eval', '+fcall', '+function|load'].includes(a),
  );
  await admin.call('ACL', 'SETUSER', ...rule);
  const queue = new Queue('q', { connection: url('noscript'), prefix: 'ns' });
  const errors: SluiceError[] = [];
  const worker = new Worker('q', () => {}, {
    connection: url('noscript'),
    prefix: 'ns',
    idleWakeMs: 100,
  });
  worker.on('error', (err) => errors.push(err as SluiceError));
  try {
    const err = (await queue.add('x', {}).catch((e: unknown) => e)) as SluiceError;
    expect(err.code).toBe('SLC_ERR_NO_PERMISSION');
    await waitFor(() => errors.length >= 2, 'the worker reports twice (it keeps trying)');
    expect(errors[0]!.code).toBe('SLC_ERR_NO_PERMISSION');
    // Grant the scripts: the same worker (still running) takes the next job.
    await admin.call('ACL', 'SETUSER', 'noscript', '+evalsha', '+eval');
    await queue.add('x', {}, { id: 'after-grant' });
    await waitFor(async () => (await queue.getJob('after-grant'))?.state === 'completed', 'job');
  } finally {
    await worker.close();
    await queue.close();
  }
});

it('a user who may not load functions runs the whole lifecycle by EVAL', async () => {
  const rule = documentedRule('nofn', 'pw-nofn', 'nofn').filter((a) => a !== '+function|load');
  expect(rule).toContain('+fcall');
  await admin.call('ACL', 'SETUSER', ...rule);
  await admin.call('FUNCTION', 'FLUSH'); // none there to call: each FCALL sent ahead fails
  await runWholeLifecycle(url('nofn'), 'nofn');
  // each load was refused, and every call went again (and on) the EVAL way
  expect(await admin.call('FUNCTION', 'LIST')).toEqual([]);
  // …and a refused load is not tried again on that connection: one per script, not per call
  const queue = new Queue('many', { connection: url('nofn'), prefix: 'nofn' });
  try {
    await queue.add('x', {});
    const before = await loadCalls();
    for (let i = 0; i < 20; i++) await queue.add('x', { i });
    expect(await loadCalls()).toBe(before);
  } finally {
    await queue.close();
  }
});

it('a key outside the pattern: a stream call fails typed, not by crashing', async () => {
  const rule = documentedRule('other', 'pw-other', 'mine');
  await admin.call('ACL', 'SETUSER', ...rule);
  const streams = new Streams({ connection: url('other'), prefix: 'theirs' });
  try {
    const err = (await streams
      .topic('t')
      .publish('x')
      .catch((e: unknown) => e)) as SluiceError;
    expect(err.code).toBe('SLC_ERR_NO_PERMISSION');
  } finally {
    await streams.close();
  }
});
