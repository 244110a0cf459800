/**
 * Scripts as Redis Functions (src/redis/functions.ts): every script loads as a library, the hot
 * path calls them by `FCALL`, and a flushed library comes back without losing a job. (The
 * `EVAL` way, for Redis 6.2 or functions turned off: test/queue/noscript.test.ts.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { luaForms, refusedBeforeRun } from '../../src/redis/functions.js';
import { scriptForms, scriptNames, scriptOfCommand } from '../../src/redis/scripts.js';
import { waitFor } from '../harness/context.js';
import { usePrivateRedis } from '../harness/private-redis.js';
import { runAFewJobs, useHarness } from '../queue/helpers.js';

const LUA = fileURLToPath(new URL('../../src/lua/', import.meta.url));
const priv = usePrivateRedis();
const h = useHarness(() => priv.server.url);

async function sluiceLibraries(): Promise<string[]> {
  const list = (await priv.raw.call('FUNCTION', 'LIST')) as unknown[][];
  // each entry: ['library_name', name, 'engine', …]
  return list.map((entry) => String(entry[1])).filter((n) => n.startsWith('sluice_'));
}

it('every script loads as a function library, under a name of its own', async () => {
  await priv.raw.call('FUNCTION', 'FLUSH');
  const names = scriptNames();
  const fns = new Set<string>();
  for (const name of names) {
    const f = scriptForms(name);
    // a library's top level runs at load: a helper that calls into Redis or a global there fails
    await expect(priv.raw.call('FUNCTION', 'LOAD', f.library)).resolves.toBe(f.fn);
    expect(f.fn).toMatch(new RegExp(`^sluice_${name}_[0-9a-f]{12}$`));
    expect(scriptOfCommand('FCALL', f.fn)).toBe(name);
    fns.add(f.fn);
  }
  expect(fns.size).toBe(names.length);
  expect((await sluiceLibraries()).length).toBe(names.length);
});

it('a script names its includes before its own code (they become its library’s top level)', () => {
  for (const name of scriptNames()) {
    const f = scriptForms(name);
    // the library and the EVAL form hold the same code, none of it an include line left behind
    expect(f.source).not.toMatch(/^-- @include /m);
    expect(f.library.includes(f.source.slice(-200).trimEnd())).toBe(true);
  }
  // a file whose include follows code of its own would be split wrongly: none is
  const files = readdirSync(LUA, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.lua') && !f.startsWith('includes'),
  );
  expect(files.length).toBe(scriptNames().length);
  for (const f of files) {
    const text = readFileSync(join(LUA, f), 'utf8').replace(/--\[\[[\s\S]*?\]\]/, '');
    const firstCode = text.search(/^[^-\s]/m);
    const includes = [...text.matchAll(/^-- @include /gm)].map((m) => m.index);
    for (const at of includes) expect(at, f).toBeLessThan(firstCode);
  }
});

it('another version of a script is another function (two releases can share one Redis)', () => {
  const a = luaForms('x', 'local function f() return 1 end\n', 'return f()\n');
  const b = luaForms('x', 'local function f() return 2 end\n', 'return f()\n');
  expect(a.fn).not.toBe(b.fn);
  expect(luaForms('x', 'local function f() return 1 end\n', 'return f()\n').fn).toBe(a.fn);
  expect(a.library.startsWith(`#!lua name=${a.fn}\n`)).toBe(true);
});

it('adds, fetches and acks run as FCALL from the first call, with no EVAL', async () => {
  await priv.raw.call('FUNCTION', 'FLUSH');
  await priv.raw.script('FLUSH');
  await priv.raw.config('RESETSTAT');
  await runAFewJobs(h(), 'fn');
  const calls = await priv.commandCalls();
  expect(calls.fcall).toBeGreaterThanOrEqual(7 + 5);
  expect(calls.eval ?? 0).toBe(0);
  expect(calls.evalsha ?? 0).toBe(0);
  const libs = await sluiceLibraries();
  for (const name of ['add_plain', 'fetch', 'complete'])
    expect(libs).toContain(scriptForms(name).fn);
});

it('after a FUNCTION FLUSH under a running worker and producer, jobs go on and the libraries come back', async () => {
  const q = h().queue('flushed');
  const done: number[] = [];
  // As after a SCRIPT FLUSH (noscript.test.ts): an ack riding with the worker's wait goes
  // again behind it, and lands when the wait ends (a job, or this safety net).
  const w = h().worker<{ i: number }>('flushed', () => {}, { concurrency: 2, idleWakeMs: 200 });
  w.on('completed', (job) => done.push(job.data.i));
  await q.add('j', { i: 0 });
  await waitFor(() => done.length === 1, 'job 0 done');
  await priv.raw.call('FUNCTION', 'FLUSH');
  await priv.raw.config('RESETSTAT');
  await q.add('j', { i: 1 }); // FCALL: not found; sent again by EVAL, and loaded again
  await waitFor(() => done.length === 2, 'job 1 done');
  await q.addBulk([{ data: { i: 2 } }, { data: { i: 3 } }]);
  await waitFor(() => done.length === 4, 'jobs 2 and 3 done');
  for (let i = 4; i < 8; i++) await q.add('j', { i });
  await waitFor(() => done.length === 8, 'jobs 4 to 7 done');
  expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  const calls = await priv.commandCalls();
  expect(calls.eval).toBeGreaterThan(0); // the flush was felt…
  expect(calls.fcall).toBeGreaterThan(calls.eval!); // …and got over: functions again
  expect(await sluiceLibraries()).toContain(scriptForms('add_plain').fn);
});

describe('which failed FCALLs go again as EVAL: only those Redis refused before running', () => {
  const TEST_LIB = [
    '#!lua name=sluicetest',
    "redis.register_function('sluicetest_write_then_fail', function(KEYS, ARGV)",
    "  redis.call('INCR', KEYS[1])",
    "  return redis.call('HGET', KEYS[1], 'x')", // WRONGTYPE, raised inside the function
    'end)',
    "redis.register_function('sluicetest_denied_inside', function(KEYS, ARGV)",
    "  return redis.call('SET', KEYS[1], '1')",
    'end)',
  ].join('\n');
  const forms = { source: '', sha: '', fn: 'sluicetest_none', library: '' };
  const errorOf = (p: Promise<unknown>) =>
    p.then(
      () => new Error('no error'),
      (e: Error) => e,
    );

  it('an error raised inside a function that already wrote is not retried', async () => {
    await priv.raw.call('FUNCTION', 'LOAD', 'REPLACE', TEST_LIB);
    await priv.raw.del('t:counter');
    const err = await errorOf(priv.raw.call('FCALL', 'sluicetest_write_then_fail', 1, 't:counter'));
    expect(err.message).toMatch(/WRONGTYPE/);
    expect(refusedBeforeRun(priv.raw, forms, err)).toBe(false);
    expect(await priv.raw.get('t:counter')).toBe('1'); // it did run: an EVAL would run it again
  });

  it('no such function, FCALL denied to the user: refused up front; a command denied inside: not', async () => {
    const missing = await errorOf(priv.raw.call('FCALL', 'sluicetest_missing', 0));
    expect(refusedBeforeRun(priv.raw, forms, missing)).toBe(true);
    await priv.raw.call('FUNCTION', 'LOAD', 'REPLACE', TEST_LIB);
    await priv.raw.call('ACL', 'SETUSER', 'fnless', 'on', '>pw', '~*', '+@all', '-fcall');
    await priv.raw.call('ACL', 'SETUSER', 'setless', 'on', '>pw', '~*', '+@all', '-set');
    const as = (user: string) => new Redis(`redis://${user}:pw@127.0.0.1:${priv.server.port}`);
    const fnless = as('fnless');
    const setless = as('setless');
    try {
      const denied = await errorOf(fnless.call('FCALL', 'sluicetest_denied_inside', 1, 't:k'));
      expect(denied.message).toMatch(/^NOPERM/);
      expect(refusedBeforeRun(fnless, forms, denied)).toBe(true);
      const inside = await errorOf(setless.call('FCALL', 'sluicetest_denied_inside', 1, 't:k'));
      expect(inside.message).toMatch(/can't run this command/);
      expect(refusedBeforeRun(setless, forms, inside)).toBe(false);
    } finally {
      fnless.disconnect();
      setless.disconnect();
    }
  });

  it('over maxmemory a function is refused up front: stats still answer and an ack still lands, by EVAL', async () => {
    await priv.raw.call('FUNCTION', 'LOAD', 'REPLACE', scriptForms('stats').library);
    const q = h().queue('oom');
    const job = await q.add('j', { i: 1 });
    const w = h().worker('oom', async () => {
      await priv.raw.config('SET', 'maxmemory', '1'); // full while the job runs
    });
    const done = new Promise((r) => w.once('completed', r));
    try {
      await done; // the ack (its first write frees memory) landed
      expect((await q.stats()).totals.completed).toBe(1);
      expect((await q.getJob(job.id))?.state).toBe('completed');
      const err = await errorOf(priv.raw.call('FCALL', scriptForms('stats').fn, 0));
      expect(err.message).toMatch(/^OOM /);
      expect(refusedBeforeRun(priv.raw, forms, err)).toBe(true);
    } finally {
      await priv.raw.config('SET', 'maxmemory', '0');
    }
  });
});

it('a reconnect to a server that lost its libraries: the first calls go by EVAL, none meets a missing function', async () => {
  const q = h().queue('reconnect');
  const done: number[] = [];
  const w = h().worker<{ i: number }>('reconnect', () => {}, { concurrency: 2, idleWakeMs: 200 });
  w.on('completed', (job) => done.push(job.data.i));
  await q.add('j', { i: 0 });
  await waitFor(() => done.length === 1, 'job 0 done');
  // as a restart without persistence would: the libraries gone, every connection dropped
  await priv.raw.call('FUNCTION', 'FLUSH');
  await priv.raw.config('RESETSTAT');
  const me = String(await priv.raw.client('ID'));
  await priv.raw.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
  expect(String(await priv.raw.client('ID'))).toBe(me);
  for (let i = 1; i < 6; i++) await q.add('j', { i });
  await waitFor(() => done.length === 6, 'jobs 1 to 5 done');
  const info = await priv.raw.info('commandstats');
  const failed = Number(/^cmdstat_fcall:.*failed_calls=(\d+)/m.exec(info)?.[1] ?? 0);
  expect(failed).toBe(0); // each call on a new socket went by EVAL, then its library was loaded
  expect(await sluiceLibraries()).toContain(scriptForms('add_plain').fn);
  expect((await priv.commandCalls()).fcall).toBeGreaterThan(0);
});
