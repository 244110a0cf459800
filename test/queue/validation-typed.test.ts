/**
 * Typed validation everywhere (issue 7, items 3, 5, 6, 15): every duration is bounded, every
 * argument of the wrong type fails with a `SluiceError`, values with no JSON form are refused
 * wherever they sit, and unknown option names are refused with our equivalent named.
 */
import { describe, expect, it } from 'vitest';
import { PayloadError, Queue, SluiceError, ValidationError, Worker } from '../../src/index.js';
import { redisUrl } from '../harness/context.js';
import { caught, useHarness } from './helpers.js';

const h = useHarness();
const noop = async () => {};

async function invalid(fn: () => unknown): Promise<ValidationError> {
  const err = await caught(fn);
  expect(err).toBeInstanceOf(ValidationError);
  expect(err.code).toBe('SLC_ERR_INVALID_OPTIONS');
  return err as ValidationError;
}

describe('durations are bounded (item 3)', () => {
  const worker: [string, Record<string, unknown>, RegExp][] = [
    ['leaseMs 1e10', { leaseMs: 1e10 }, /^leaseMs .*86400000/],
    [
      'heartbeatMs past 24 h',
      { leaseMs: 86_400_000, heartbeatMs: 86_400_001 },
      /^heartbeatMs .*86400000/,
    ],
    ['stallCheckMs 1e10', { stallCheckMs: 1e10 }, /^stallCheckMs/],
    ['idleWakeMs 1e10', { idleWakeMs: 1e10 }, /^idleWakeMs/],
    ['keepCompleted.ageMs 1e15', { keepCompleted: { ageMs: 1e15 } }, /^keepCompleted\.ageMs/],
    ['keepFailed.ageMs 1e15', { keepFailed: { ageMs: 1e15 } }, /^keepFailed\.ageMs/],
    [
      'a retry back-off of 1e15 ms',
      { retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 1e15 } } },
      /^retry\.backoff\.delayMs/,
    ],
    [
      'an exponential cap of 1e15 ms',
      { retry: { maxAttempts: 2, backoff: { type: 'exponential', baseMs: 1, maxMs: 1e15 } } },
      /^retry\.backoff\.maxMs/,
    ],
  ];
  it.each(worker)('Worker rejects %s', async (_what, opts, problem) => {
    const err = await invalid(() => new Worker('q', noop, { connection: redisUrl(), ...opts }));
    expect(err.problems[0]).toMatch(problem);
  });

  it('a Worker takes the largest lease (24 h) and each bound itself', async () => {
    const w = h().worker('bounds', noop, {
      leaseMs: 86_400_000,
      heartbeatMs: 86_399_999,
      stallCheckMs: 86_400_000,
      keepFailed: { ageMs: 315_360_000_000 },
    });
    expect(w.name).toBe('bounds');
  });

  const add: [string, Record<string, unknown>, RegExp][] = [
    ['delay of 1e15 ms', { delay: 1e15 }, /^delay/],
    ['runAt 100 years ahead', { runAt: Date.now() + 100 * 365 * 86_400_000 }, /^runAt/],
    ['dedupTtlMs of 1e15', { dedupKey: 'k', dedupTtlMs: 1e15 }, /^dedupTtlMs/],
    ['backoff of 1e15 ms', { backoff: { type: 'fixed', delayMs: 1e15 } }, /backoff\.delayMs/],
  ];
  it.each(add)('add rejects %s and stores nothing', async (_what, opts, problem) => {
    const q = h().queue('bounds');
    const err = await invalid(() => q.add('x', 1, opts));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(problem);
    expect(await h().redis.exists(h().keys('bounds').jobs)).toBe(0);
  });

  it('add takes a delay of 10 years', async () => {
    const q = h().queue('bounds');
    expect((await q.add('x', 1, { delay: 315_360_000_000 })).created).toBe(true);
  });
});

describe('arguments of the wrong type are typed errors (item 5)', () => {
  const badOptions: [string, unknown][] = [
    ['null', null],
    ['a number', 5],
    ['a boolean', true],
    ['an array', []],
  ];
  it.each(badOptions)('Queue and Worker options %s', async (_what, options) => {
    await invalid(() => new Queue('q', options as never));
    await invalid(() => new Worker('q', noop, options as never));
  });

  it.each([[123], [null], [true]])('connection %j', async (connection) => {
    for (const make of [
      () => new Queue('q', { connection: connection as never }),
      () => new Worker('q', noop, { connection: connection as never }),
    ]) {
      const err = await invalid(make);
      expect(err.problems).toEqual([expect.stringMatching(/^connection must be/)]);
    }
  });

  it('a string options argument is still taken (as the connection URL)', async () => {
    const q = new Queue('strings', redisUrl() as never);
    try {
      expect(await q.isPaused()).toBe(false);
    } finally {
      await q.close();
    }
  });

  it('null, a string, {} or [null] to addBulk', async () => {
    const q = h().queue('bulk');
    for (const jobs of [null, 'jobs', {}, [null], [5], [{ data: 1 }, 'x']]) {
      const err = await invalid(() => q.addBulk(jobs as never));
      expect(err.problems).toHaveLength(1);
    }
    expect(await h().redis.exists(h().keys('bulk').jobs)).toBe(0);
  });

  it('null pages, ids and clear options', async () => {
    const q = h().queue('args');
    await invalid(() => q.getJobs('waiting', null as never));
    await invalid(() => q.clear(null as never));
    await invalid(() => q.getJob(null as never));
    await invalid(() => q.remove(5 as never));
    await invalid(() => q.promote({} as never));
  });

  const cyclicViaToJSON = { toJSON: () => cyclicViaToJSON };
  const payloads: [string, unknown][] = [
    ['toJSON returning undefined', { at: { toJSON: () => undefined } }],
    ['toJSON returning undefined at the top', { toJSON: () => undefined }],
    ['toJSON returning a function', { f: { toJSON: () => () => 1 } }],
    ['toJSON returning a BigInt', [{ toJSON: () => 10n }]],
    ['toJSON returning a Map', { toJSON: () => new Map() }],
    ['toJSON returning its own object', cyclicViaToJSON],
    ['nesting 20,000 deep', nest(20_000)],
    ['nesting 1,001 deep', nest(1001)],
  ];
  it.each(payloads)('a payload with %s', async (_what, data) => {
    const q = h().queue('payloads');
    const err = await caught(() => q.add('x', data));
    expect(err).toBeInstanceOf(PayloadError);
    expect(err.code).toBe('SLC_ERR_PAYLOAD_NOT_SERIALISABLE');
    expect(await h().redis.exists(h().keys('payloads').jobs)).toBe(0);
  });

  it('a payload nested 1,000 deep is fine', async () => {
    const q = h().queue('payloads');
    expect((await q.add('x', nest(999))).created).toBe(true);
  });

  it('a queue script that Redis refuses fails with SLC_ERR_SCRIPT, the reply as cause', async () => {
    const q = h().queue('foreign');
    // Another program wrote a key of another type where the queue's waiting list belongs.
    await h().redis.set(h().keys('foreign').wait, 'not a list');
    const err = await caught(() => q.add('x', 1));
    expect(err).toBeInstanceOf(SluiceError);
    expect(err).toMatchObject({ code: 'SLC_ERR_SCRIPT', status: 500 });
    expect((err as SluiceError).cause).toBeInstanceOf(Error);
    expect(await caught(() => q.getJobs('waiting'))).toMatchObject({ code: 'SLC_ERR_SCRIPT' });
  });
});

describe('bad input is not silently accepted (item 6)', () => {
  const noJsonForm: [string, unknown][] = [
    ['a RegExp', { re: /x/ }],
    ['an Error', { err: new Error('boom') }],
    ['a Promise', [Promise.resolve(1)]],
    ['a Map', new Map([[1, 2]])],
    ['a Set deep inside', { a: [{ b: { c: new Set([1]) } }] }],
    ['a Uint8Array', { bytes: new Uint8Array([1, 2]) }],
    ['a Float64Array', new Float64Array(2)],
    ['an ArrayBuffer', { buf: new ArrayBuffer(4) }],
    ['a DataView', { v: new DataView(new ArrayBuffer(4)) }],
    ['a WeakMap', { w: new WeakMap() }],
  ];
  it.each(noJsonForm)('refuses %s, typed, in add and in meta', async (what, data) => {
    const q = h().queue('nojson');
    const err = await caught(() => q.add('x', data));
    expect(err).toBeInstanceOf(PayloadError);
    expect(err.code).toBe('SLC_ERR_PAYLOAD_NOT_SERIALISABLE');
    expect(err.message).toMatch(/no JSON form/);
    expect((await caught(() => q.add('x', 1, { meta: { v: data } as never }))).code).toBe(
      'SLC_ERR_PAYLOAD_NOT_SERIALISABLE',
    );
    expect(await h().redis.exists(h().keys('nojson').jobs)).toBe(0);
    void what;
  });

  it('keeps what has a JSON form: class instances, Date, Buffer (via toJSON), boxed values', async () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const q = h().queue('json');
    const data = { p: new Point(1, 2), at: new Date(0), b: Buffer.from('hi'), n: Object(5) };
    const { id } = await q.add('x', data);
    expect((await q.getJob(id))!.data).toEqual(JSON.parse(JSON.stringify(data)));
  });

  it('typed options: maxPayloadBytes "1000", prefix {}, state bogus, retryFailed ids', async () => {
    const e1 = await invalid(() => new Queue('q', { maxPayloadBytes: '1000' as never }));
    expect(e1.problems).toEqual([expect.stringMatching(/^maxPayloadBytes/)]);
    for (const prefix of [{}, '', 'a b', 'x{y}', 'a*'])
      await invalid(() => new Queue('q', { prefix: prefix as never }));
    await invalid(() => new Worker('q', noop, { prefix: {} as never }));
    const q = h().queue('typed');
    await q.add('x', 1);
    expect((await invalid(() => q.getJobs('bogus' as never))).problems[0]).toMatch(/^state/);
    for (const ids of ['x', [1, 2], [{}], [''], null])
      await invalid(() => q.retryFailed(ids as never));
    // Automatic ids are all digits: those are fine to retry by hand.
    expect(await q.retryFailed(['1'])).toBe(0);
  });

  it.each([['x'], [undefined], [{}], [null]])(
    'a Worker whose processor is %j is refused at once',
    async (processor) => {
      const err = await invalid(() => new Worker('q', processor as never, { autorun: false }));
      expect(err.problems).toEqual(['processor must be a function']);
    },
  );
});

describe('unknown option names are refused, naming our equivalent (item 15)', () => {
  it('add: jobId, attempts, removeOnComplete, lifo in one error', async () => {
    const q = h().queue('unknown');
    const err = await invalid(() =>
      q.add('x', 1, { jobId: 'a', attempts: 3, removeOnComplete: true, lifo: true } as never),
    );
    expect(err.problems).toEqual([
      'unknown option jobId (use id)',
      'unknown option attempts (use maxAttempts)',
      'unknown option removeOnComplete (use keepCompleted on the Worker)',
      'unknown option lifo (Sluice has no equivalent)',
    ]);
    // With other problems, still one error that lists them all.
    const both = await invalid(() => q.add('x', 1, { jobId: 'a', delay: -1 } as never));
    expect(both.problems).toHaveLength(2);
    await invalid(() => q.addBulk([{ data: 1, opts: { jobId: 'b' } as never }]));
    await invalid(() => q.addBulk([{ data: 1, options: {} } as never]));
    await invalid(() => q.add('x', 1, { backoff: { type: 'fixed', delay: 5 } } as never));
    await invalid(() => q.getJobs('waiting', { start: 0 } as never));
    expect(await h().redis.exists(h().keys('unknown').jobs)).toBe(0);
  });

  it('Worker: lockDuration, removeOnComplete, settings, and nested names', async () => {
    const err = await invalid(
      () =>
        new Worker('q', noop, {
          lockDuration: 1000,
          removeOnComplete: { count: 1 },
          settings: {},
          backoff: { type: 'fixed', delay: 1 },
          retry: { attempts: 3 },
          keepFailed: { age: 60 },
        } as never),
    );
    expect(err.problems).toEqual([
      'unknown option lockDuration (use leaseMs)',
      'unknown option removeOnComplete (use keepCompleted)',
      'unknown option settings (use retry.backoff (a function for a custom back-off))',
      'unknown option backoff (use retry.backoff)',
      'unknown option retry.attempts (use maxAttempts)',
      'retry.maxAttempts must be an integer >= 1',
      'unknown option keepFailed.age (use ageMs (in ms))',
    ]);
  });

  it('Queue: defaultJobOptions', async () => {
    const err = await invalid(
      () => new Queue('q', { defaultJobOptions: { attempts: 3 }, custom: 1 } as never),
    );
    expect(err.problems).toEqual([
      expect.stringMatching(/^unknown option defaultJobOptions \(use options of each add/),
      'unknown option custom',
    ]);
  });
});

function nest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
