/**
 * Every bad input fails with a typed error carrying its stable `code`, before anything reaches
 * Redis, and nothing already accepted is lost.
 */
import { describe, expect, it } from 'vitest';
import {
  ClosedError,
  PayloadError,
  Queue,
  SluiceError,
  Streams,
  ValidationError,
  tryOrEnqueue,
  Worker,
  type AddOptions,
} from '../../src/index.js';
import { redisUrl, waitFor } from '../harness/context.js';
import { caught, deferred, useHarness } from './helpers.js';

const h = useHarness();

describe('queue names', () => {
  const bad: unknown[] = [
    '',
    'has space',
    'brace{d}',
    'x}',
    '.dot-first',
    ':colon-first',
    '-dash-first',
    'ünïcode',
    'slash/name',
    'a'.repeat(129),
    123,
    undefined,
  ];
  it.each(bad.map((n) => [n]))('rejects %j in Queue and Worker', async (name) => {
    for (const make of [
      () => new Queue(name as string, { connection: redisUrl() }),
      () => new Worker(name as string, async () => {}, { connection: redisUrl() }),
    ]) {
      const err = await caught(make);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.code).toBe('SLC_ERR_INVALID_NAME');
      expect((err as ValidationError).status).toBe(400);
      expect((err as ValidationError).problems.length).toBeGreaterThan(0);
    }
  });

  it('accepts letters, digits and _ . : - up to 128 characters', async () => {
    for (const name of ['a', 'notes_sync.chat:v2-eu', '0jobs', '_x', 'a'.repeat(128)]) {
      const q = h().queue(name);
      expect(q.name).toBe(name);
      expect((await q.add('x', 1)).created).toBe(true);
    }
  });
});

describe('job ids', () => {
  const bad: unknown[] = ['', 'has space', 'a{b}', '123', 'x'.repeat(257), 42, 'é', 'a\nb'];
  it.each(bad.map((id) => [id]))('rejects id %j', async (id) => {
    const q = h().queue('ids');
    const err = await caught(() => q.add('x', 1, { id: id as string }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.code).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(await h().redis.exists(h().keys('ids').jobs)).toBe(0);
  });

  it('accepts the documented charset and keeps the id', async () => {
    const q = h().queue('ids');
    const id = 'note-7_v3.chat:user@x/y+z=1';
    expect(await q.add('x', 1, { id })).toEqual({ id, created: true });
    expect((await q.getJob(id))!.id).toBe(id);
    expect(await q.add('x', 1, { id: 'x'.repeat(256) })).toMatchObject({ created: true });
  });
});

describe('payloads', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const bad: [string, unknown][] = [
    ['a function', { f: () => 1 }],
    ['a bigint', { n: 10n }],
    ['a cycle', cyclic],
    ['NaN', { x: NaN }],
    ['Infinity', [1, Infinity]],
    ['a Map', { m: new Map([[1, 2]]) }],
    ['a Set', new Set([1])],
    ['a symbol', { s: Symbol('x') }],
    ['undefined in an array', [1, undefined]],
    ['a nested function', { deep: { deeper: [{ fn: function named() {} }] } }],
    // the caller's own code throwing while the payload is read
    [
      'a getter that throws',
      Object.defineProperty({}, 'x', {
        enumerable: true,
        get() {
          throw new Error('boom');
        },
      }),
    ],
    [
      'a toJSON that throws',
      {
        toJSON() {
          throw new Error('boom');
        },
      },
    ],
    [
      'a Proxy whose trap throws',
      new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('boom');
          },
        },
      ),
    ],
  ];
  it.each(bad)('rejects %s', async (_what, data) => {
    const q = h().queue('payloads');
    const err = await caught(() => q.add('x', data));
    expect(err).toBeInstanceOf(PayloadError);
    expect(err.code).toBe('SLC_ERR_PAYLOAD_NOT_SERIALISABLE');
    expect((err as PayloadError).status).toBe(400);
    expect(await h().redis.exists(h().keys('payloads').jobs)).toBe(0);
  });

  it('accepts what JSON represents faithfully (Date via toJSON, dropped undefined fields)', async () => {
    const q = h().queue('payloads');
    const at = new Date('2024-01-02T03:04:05.000Z');
    const { id } = await q.add('x', { at, skip: undefined, list: [null, 0, ''] });
    expect((await q.getJob(id))!.data).toEqual({
      at: '2024-01-02T03:04:05.000Z',
      list: [null, 0, ''],
    });
    const { id: id2 } = await q.add('x', undefined);
    expect((await q.getJob(id2))!.data).toBeNull();
  });

  it('rejects payloads over maxPayloadBytes (bytes of UTF-8 JSON) and accepts the limit', async () => {
    const q = h().queue('payloads', { maxPayloadBytes: 1000 });
    // '"' + 998 chars + '"' = 1000 bytes
    expect((await q.add('x', 'a'.repeat(998))).created).toBe(true);
    const err = await caught(() => q.add('x', 'a'.repeat(999)));
    expect(err).toBeInstanceOf(PayloadError);
    expect(err.code).toBe('SLC_ERR_PAYLOAD_TOO_LARGE');
    expect((err as PayloadError).status).toBe(413);
    // 'é' is 2 bytes: 500 of them are 1002 bytes of JSON though only 502 characters.
    expect((await caught(() => q.add('x', 'é'.repeat(500)))).code).toBe(
      'SLC_ERR_PAYLOAD_TOO_LARGE',
    );
    expect(await h().redis.hlen(h().keys('payloads').jobs)).toBe(1);
  });

  it('validates meta like a payload', async () => {
    const q = h().queue('payloads', { maxPayloadBytes: 100 });
    expect((await caught(() => q.add('x', 1, { meta: [] as never }))).code).toBe(
      'SLC_ERR_INVALID_OPTIONS',
    );
    expect((await caught(() => q.add('x', 1, { meta: { n: 1n } }))).code).toBe(
      'SLC_ERR_PAYLOAD_NOT_SERIALISABLE',
    );
    expect((await caught(() => q.add('x', 1, { meta: { big: 'x'.repeat(200) } }))).code).toBe(
      'SLC_ERR_PAYLOAD_TOO_LARGE',
    );
    expect(await h().redis.exists(h().keys('payloads').jobs)).toBe(0);
  });

  it('a return value that cannot be stored fails the attempt with a typed error', async () => {
    const q = h().queue('results');
    const w = h().worker('results', async (job) => (job.data === 'big' ? 'x'.repeat(200) : 10n), {
      maxResultBytes: 100,
      retry: { maxAttempts: 1 },
    });
    const errors = new Map<string, unknown>();
    const both = deferred();
    w.on('failed', (job, err) => {
      errors.set(job.data as string, err);
      if (errors.size === 2) both.resolve();
    });
    await q.add('x', 'big');
    await q.add('x', 'bigint');
    await both.promise;
    expect((errors.get('big') as SluiceError).code).toBe('SLC_ERR_PAYLOAD_TOO_LARGE');
    expect((errors.get('bigint') as SluiceError).code).toBe('SLC_ERR_PAYLOAD_NOT_SERIALISABLE');
    expect((await q.stats()).failed).toBe(2);
    expect(await h().redis.hlen(h().keys('results').results)).toBe(0);
  });
});

describe('job options', () => {
  const bad: [string, AddOptions, RegExp][] = [
    ['negative delay', { delay: -1 }, /delay/],
    ['NaN delay', { delay: NaN }, /delay/],
    ['infinite delay', { delay: Infinity }, /delay/],
    ['string delay', { delay: '5' as never }, /delay/],
    ['runAt not a time', { runAt: 'tomorrow' as never }, /runAt/],
    ['invalid Date', { runAt: new Date('nope') }, /runAt/],
    ['delay and runAt', { delay: 5, runAt: Date.now() + 5 }, /not both/],
    ['unknown priority name', { priority: 'urgent' as never }, /priority/],
    ['inherited property as priority', { priority: 'constructor' as never }, /priority/],
    ['priority out of range', { priority: 1001 }, /priority/],
    ['fractional priority', { priority: 1.5 }, /priority/],
    ['maxAttempts 0', { maxAttempts: 0 }, /maxAttempts/],
    ['fractional maxAttempts', { maxAttempts: 2.5 }, /maxAttempts/],
    ['unknown backoff type', { backoff: { type: 'linear' } as never }, /backoff\.type/],
    ['negative backoff delay', { backoff: { type: 'fixed', delayMs: -1 } }, /delayMs/],
    ['jitter over 1', { backoff: { type: 'fixed', delayMs: 1, jitter: 2 } }, /jitter/],
    ['a backoff function', { backoff: (() => 1) as never }, /function cannot be stored/],
  ];
  it.each(bad)('rejects %s', async (_what, opts, problem) => {
    const q = h().queue('opts');
    const err = await caught(() => q.add('x', 1, opts));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.code).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(err.message).toMatch(problem);
    expect(await h().redis.exists(h().keys('opts').jobs)).toBe(0);
  });

  it('lists every problem in one error', async () => {
    const q = h().queue('opts');
    const err = (await caught(() =>
      q.add('x', 1, { id: '1', delay: -5, priority: 'top' as never, maxAttempts: 0 }),
    )) as ValidationError;
    expect(err.code).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(err.problems).toHaveLength(4);
  });

  it('rejects options that are not an object and a name that is not a string', async () => {
    const q = h().queue('opts');
    expect((await caught(() => q.add('x', 1, 5 as never))).code).toBe('SLC_ERR_INVALID_OPTIONS');
    expect((await caught(() => q.add(7 as never, 1))).code).toBe('SLC_ERR_INVALID_OPTIONS');
  });

  it('rejects bad queue options and bad paging', async () => {
    for (const maxPayloadBytes of [0, -1, NaN]) {
      const err = await caught(() => new Queue('q', { connection: redisUrl(), maxPayloadBytes }));
      expect(err.code).toBe('SLC_ERR_INVALID_OPTIONS');
    }
    // a URL ioredis cannot parse (it threw `new URL`'s TypeError)
    for (const make of [
      () => new Queue('q', { connection: 'redis://[x' }),
      () => new Worker('q', async () => {}, { connection: 'redis://[x' }),
      () => new Streams({ connection: 'redis://[x' }),
    ])
      expect((await caught(make)).code).toBe('SLC_ERR_INVALID_OPTIONS');
    const q = h().queue('opts');
    for (const page of [{ offset: -1 }, { limit: 0 }, { limit: 1001 }, { offset: 0.5 }]) {
      expect((await caught(() => q.getJobs('waiting', page))).code).toBe('SLC_ERR_INVALID_OPTIONS');
    }
  });
});

describe('worker options', () => {
  it('rejects each bad option, listing every problem, before connecting', async () => {
    const err = (await caught(
      () =>
        new Worker('q', async () => {}, {
          connection: redisUrl(),
          concurrency: 0,
          leaseMs: 50,
          heartbeatMs: 5,
          stallCheckMs: 0,
          maxStalls: -1,
          historyLimit: 1.5,
          idleWakeMs: 1,
          keepCompleted: { count: 1.5 },
          keepFailed: { ageMs: -1 },
          maxResultBytes: 0,
          retry: { maxAttempts: 0, backoff: { type: 'linear' } as never },
        }),
    )) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.code).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(err.problems).toEqual([
      'concurrency must be an integer >= 1, got 0',
      'leaseMs must be an integer from 100 to 86400000 ms (24 h), got 50',
      'heartbeatMs must be an integer from 10 to 86400000 ms (24 h), got 5',
      'stallCheckMs must be an integer from 10 to 86400000 ms (24 h), got 0',
      'maxStalls must be an integer >= 0, got -1',
      'historyLimit must be an integer >= 0, got 1.5',
      'idleWakeMs must be an integer from 10 to 86400000 ms (24 h), got 1',
      'retry.maxAttempts must be an integer >= 1, got 0',
      "retry.backoff.type must be 'fixed' or 'exponential'",
      'keepCompleted.count must be an integer >= 0, got 1.5',
      'keepFailed.ageMs must be an integer from 0 to 315360000000 ms (10 years), got -1',
      'maxResultBytes must be an integer from 1 to 536870912 bytes (512 MiB), got 0',
    ]);
  });

  it('rejects a heartbeat no shorter than the lease, and a retry without maxAttempts', async () => {
    const e1 = (await caught(
      () =>
        new Worker('q', async () => {}, {
          connection: redisUrl(),
          leaseMs: 1000,
          heartbeatMs: 1000,
        }),
    )) as ValidationError;
    expect(e1.problems).toEqual(['heartbeatMs must be shorter than leaseMs']);
    // …including the default lease of 30 s.
    const e3 = (await caught(
      () => new Worker('q', async () => {}, { connection: redisUrl(), heartbeatMs: 30_000 }),
    )) as ValidationError;
    expect(e3.problems).toEqual(['heartbeatMs must be shorter than leaseMs']);
    const e2 = (await caught(
      () =>
        new Worker('q', async () => {}, {
          connection: redisUrl(),
          retry: { backoff: { type: 'fixed', delayMs: 1 } } as never,
        }),
    )) as ValidationError;
    expect(e2.problems).toEqual(['retry.maxAttempts must be an integer >= 1']);
  });
});

describe('after bad input', () => {
  it('nothing already accepted is lost, and addBulk adds all or nothing', async () => {
    const q = h().queue<unknown>('keep');
    await q.add('a', { n: 1 }, { id: 'first' });
    await q.add('b', { n: 2 }, { id: 'second', delay: 60_000 });
    const before = await h().state('keep');

    const attempts: (() => Promise<unknown>)[] = [
      () => q.add('x', { f: () => 1 }),
      () => q.add('x', 1, { id: 'bad id' }),
      () => q.add('x', 1, { delay: -1 }),
      () => q.addBulk([{ data: 1 }, { data: 2n }, { data: 3 }]),
      () =>
        q.addBulk([
          { data: 1, opts: { id: 'first' } },
          { data: 2, opts: { priority: 99999 } },
        ]),
      // The bad job is in the second chunk of 1,000: the first chunk must not be sent either.
      () => q.addBulk(Array.from({ length: 1500 }, (_, i) => ({ data: i === 1200 ? NaN : i }))),
      // a hole is a job missing: the ids answered for the jobs after it would be wrong
      // eslint-disable-next-line no-sparse-arrays
      () => q.addBulk([, { data: 'second' }] as never),
    ];
    for (const attempt of attempts) expect(await caught(attempt)).toBeInstanceOf(SluiceError);
    expect(await h().state('keep')).toEqual(before);
    expect(before.waiting).toEqual(['first']);
    expect(Object.keys(before.delayed)).toEqual(['second']);

    h().worker('keep', async () => {});
    await q.promote('second');
    await waitFor(async () => (await q.stats()).completed === 2, 'both accepted jobs complete');
  });

  it('a partitioned queue checks every job before any partition adds one', async () => {
    const q = h().queue<unknown>('pkeep', { partitions: 4 });
    const good = Array.from({ length: 8 }, (_, i) => ({ data: i }));
    for (const jobs of [
      [...good, { data: 1n }],
      [...good, null],
      [...good, undefined],
    ])
      expect((await caught(() => q.addBulk(jobs as never))).code).toMatch(
        /^SLC_ERR_(PAYLOAD_NOT_SERIALISABLE|INVALID_OPTIONS)$/,
      );
    expect((await caught(() => q.addBulk({} as never))).code).toBe('SLC_ERR_INVALID_OPTIONS');
    expect((await q.stats()).waiting).toBe(0);
  });

  it('null options and out-of-range pages are refused, typed (they threw TypeErrors)', async () => {
    const q = h().queue<unknown>('nulls');
    for (const call of [
      () => q.getEntityJobs('e1', null as never),
      () => q.getEntityJobs('e1', { offset: 1e300 }),
      () => q.getEntityJobs('e1', { nope: 1 } as never),
      () => q.promoteAll(null as never),
      () => tryOrEnqueue(q, async () => 1, null as never),
    ])
      expect((await caught(call)).code).toBe('SLC_ERR_INVALID_OPTIONS');
  });

  it('a closed queue refuses work with SLC_ERR_CLOSED', async () => {
    const q = h().queue('closed');
    await q.close();
    for (const op of [() => q.add('x', 1), () => q.stats(), () => q.getJob('1'), () => q.pause()]) {
      const err = await caught(op);
      expect(err).toBeInstanceOf(ClosedError);
      expect(err.code).toBe('SLC_ERR_CLOSED');
    }
  });
});
