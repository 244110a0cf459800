/**
 * The probes of `bench/scaling.ts`, each returning one markdown table: memory per job by size,
 * the Redis cost of fetch / stats / getJobs by size, consumer-group reclaim by pending count,
 * and where every byte of a waiting job goes. Sluice only, through `src/index.ts`.
 */
import type { Redis } from 'ioredis';
import { Queue, Streams, Worker } from '../../src/index.js';
import { makeJob } from '../lib/payload.js';
import {
  allKeys,
  innerCommandsPerCall,
  measureCost,
  usedMemory,
  type Cost,
} from '../lib/redis-cost.js';

export interface ScalingSizes {
  /** Jobs in a state (memory, fetch, stats, list). */
  jobs: number[];
  /** Pending entries of a consumer group (reclaim). */
  pending: number[];
  /** Failed jobs whose memory is measured. */
  failed: number;
}

export interface ProbeContext {
  url: string;
  redis: Redis;
  names: Map<string, string>;
  sizes: ScalingSizes;
  log: (msg: string) => void;
}

const QUEUE = 'scale';
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const k = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1000 ? `${n / 1000}k` : String(n));
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const us = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(1);

/** Adds `n` jobs with `addBulk`, chunks of 1,000, 4 chunks in flight; returns the seconds it took. */
async function fill(q: Queue, n: number, delay = 0): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const from = next;
      next = Math.min(n, next + 1000);
      const jobs = [];
      for (let i = from; i < next; i++)
        jobs.push({ name: 'j', data: makeJob(i), ...(delay ? { opts: { delay } } : {}) });
      await q.addBulk(jobs);
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  return (performance.now() - t0) / 1000;
}

async function fresh(ctx: ProbeContext): Promise<void> {
  await ctx.redis.flushall('SYNC');
  await ctx.redis.config('RESETSTAT');
}

/**
 * `used_memory` once the scripts an add needs are loaded and the registry exists (one job on
 * another queue), so the per-job figures do not carry those fixed costs.
 */
async function baseline(ctx: ProbeContext): Promise<number> {
  const warm = new Queue('warm', { connection: ctx.url });
  await warm.addBulk([{ name: 'j', data: makeJob(0) }]);
  await warm.add('j', makeJob(1), { delay: HOUR });
  await warm.close();
  return usedMemory(ctx.redis);
}

/** Memory per waiting and per delayed job at every size, with the time the fill took. */
export async function memoryRows(ctx: ProbeContext): Promise<string> {
  const out = [
    '### Memory per job by size',
    '',
    '`used_memory` after − before (empty server) ÷ jobs; jobs of 100 B payload added with ' +
      '`addBulk` (chunks of 1,000, 4 in flight, one connection). Delayed: `delay` of one hour.',
    '',
    row(['Jobs', 'waiting B/job', 'fill (waiting)', 'delayed B/job', 'fill (delayed)']),
    row(['---:', '---:', '---:', '---:', '---:']),
  ];
  for (const n of ctx.sizes.jobs) {
    const cells: string[] = [];
    for (const delay of [0, HOUR]) {
      await fresh(ctx);
      const q = new Queue(QUEUE, { connection: ctx.url });
      await q.isPaused();
      const before = await baseline(ctx);
      const s = await fill(q, n, delay);
      await q.close();
      const after = await usedMemory(ctx.redis);
      cells.push(`${Math.round((after - before) / n)}`, `${s.toFixed(1)} s (${rate(n, s)}/s)`);
      ctx.log(
        `memory ${delay ? 'delayed' : 'waiting'} ${k(n)}: ${cells.at(-2)} B/job, ${s.toFixed(1)} s`,
      );
    }
    out.push(row([k(n), ...cells]));
  }
  out.push('', await failedMemory(ctx));
  return out.join('\n');
}

const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en');

/** A failed job (error, stack, attempt history) beside a waiting one, after 1 and 3 attempts. */
async function failedMemory(ctx: ProbeContext): Promise<string> {
  const n = ctx.sizes.failed;
  const lines = [
    `Failed jobs (${n.toLocaleString('en')}; the handler throws \`new Error('boom')\`, so each ` +
      'keeps its error, its stack and one history record per attempt; default `keepFailed` and ' +
      '`historyLimit`):',
    '',
    row(['Attempts', 'waiting B/job', 'failed B/job', 'failed ÷ waiting']),
    row(['---:', '---:', '---:', '---:']),
  ];
  for (const attempts of [1, 3]) {
    await fresh(ctx);
    const q = new Queue(QUEUE, { connection: ctx.url });
    await q.isPaused();
    const before = await baseline(ctx);
    for (let i = 0; i < n; i += 1000)
      await q.addBulk(
        Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
          name: 'j',
          data: makeJob(i + j),
          opts: { maxAttempts: attempts, backoff: { type: 'fixed' as const, delayMs: 0 } },
        })),
      );
    const waiting = (await usedMemory(ctx.redis)) - before;
    const w = new Worker(
      QUEUE,
      async () => {
        throw new Error('boom');
      },
      { connection: ctx.url, concurrency: 50 },
    );
    w.on('error', () => {});
    const deadline = Date.now() + 180_000;
    while ((await q.stats()).failed < n && Date.now() < deadline) await sleep(200);
    await w.close();
    await q.close();
    const failed = (await usedMemory(ctx.redis)) - before;
    lines.push(
      row([
        attempts,
        Math.round(waiting / n),
        Math.round(failed / n),
        `${(failed / waiting).toFixed(2)}×`,
      ]),
    );
    ctx.log(`failed memory, ${attempts} attempt(s): ${Math.round(failed / n)} B/job`);
  }
  return lines.join('\n');
}

interface OpResult {
  cost: Cost;
  calls: number;
}

/** Runs `fn` `calls` times (sequentially) with the cost recorded. */
async function op(ctx: ProbeContext, calls: number, fn: () => Promise<unknown>): Promise<OpResult> {
  const cost = await measureCost(ctx.redis, ctx.names, async () => {
    for (let i = 0; i < calls; i++) await fn();
  });
  return { cost, calls };
}

/** A worker at concurrency 1 (completed jobs removed) runs `jobs` jobs, cost recorded. */
async function drain(ctx: ProbeContext, jobs: number): Promise<OpResult> {
  const cost = await measureCost(ctx.redis, ctx.names, async () => {
    let done = 0;
    await new Promise<void>((resolve) => {
      const w = new Worker(QUEUE, async () => {}, {
        connection: ctx.url,
        concurrency: 1,
        keepCompleted: false,
      });
      w.on('completed', () => {
        if (++done === jobs) void w.close().then(resolve);
      });
    });
  });
  return { cost, calls: jobs };
}

/**
 * A drain row becomes one row per script the worker ran on its way through the jobs (5 calls or
 * more: its start-up's one-off calls left out). Not "once per job": with its prefetch one call
 * takes and acks many.
 */
function perJobScripts(r: OpRow): OpRow[] {
  const last = r.bySize.at(-1)!;
  return [...last.cost.byCall]
    .filter(([name, c]) => name.startsWith('script ') && c.calls >= 5)
    .map(([name]) => ({ ...r, script: name.slice('script '.length) }));
}

interface OpRow {
  label: string;
  script: string;
  bySize: OpResult[];
}

function opRowMarkdown(r: OpRow, sizes: number[]): string {
  const per = r.bySize.map((x) => x.cost.byCall.get(`script ${r.script}`));
  const first = per[0]?.usPerCall ?? NaN;
  const last = per.at(-1)?.usPerCall ?? NaN;
  const growth = last / first;
  const verdict = !Number.isFinite(growth)
    ? 'n/a'
    : growth < 2
      ? `flat (${growth.toFixed(2)}×)`
      : `**grows ${growth.toFixed(1)}×** over ${k(sizes[0]!)}→${k(sizes.at(-1)!)}`;
  const lastRes = r.bySize.at(-1)!;
  const cs = lastRes.cost.stats.get('fcall') ?? lastRes.cost.stats.get('evalsha');
  const calls = per.at(-1)?.calls ?? 0;
  return row([
    r.label,
    `\`${r.script}\``,
    ...per.map((p) => us(p?.usPerCall)),
    verdict,
    us(cs?.usecPerCall),
    innerCommandsPerCall(lastRes.cost, calls || lastRes.calls),
  ]);
}

/** fetch / stats / getJobs with n waiting jobs and with n delayed jobs. */
export async function operationRows(ctx: ProbeContext): Promise<string> {
  const sizes = ctx.sizes.jobs;
  const rows: OpRow[] = [
    { label: 'fetch + complete, n waiting (c=1, 200 jobs)', script: '*', bySize: [] },
    { label: 'stats(), n waiting', script: 'stats', bySize: [] },
    { label: "getJobs('waiting') first page of 50", script: 'list', bySize: [] },
    { label: "getJobs('waiting') page of 50 at offset n/2", script: 'list', bySize: [] },
    { label: 'fetch + complete, n delayed + 200 waiting', script: '*', bySize: [] },
    { label: 'stats(), n delayed', script: 'stats', bySize: [] },
    { label: "getJobs('delayed') first page of 50", script: 'list', bySize: [] },
  ];
  for (const n of sizes) {
    await fresh(ctx);
    const q = new Queue(QUEUE, { connection: ctx.url });
    await fill(q, n);
    rows[1]!.bySize.push(await op(ctx, 50, () => q.stats()));
    rows[2]!.bySize.push(await op(ctx, 20, () => q.getJobs('waiting', { limit: 50 })));
    const mid = Math.floor(n / 2);
    rows[3]!.bySize.push(await op(ctx, 20, () => q.getJobs('waiting', { offset: mid, limit: 50 })));
    rows[0]!.bySize.push(await drain(ctx, Math.min(200, n)));
    await fresh(ctx);
    await fill(q, n, HOUR);
    await fill(q, 200);
    rows[5]!.bySize.push(await op(ctx, 50, () => q.stats()));
    rows[6]!.bySize.push(await op(ctx, 20, () => q.getJobs('delayed', { limit: 50 })));
    rows[4]!.bySize.push(await drain(ctx, 200));
    await q.close();
    ctx.log(`operations at ${k(n)} done`);
  }
  const all = rows.flatMap((r) => (r.script === '*' ? perJobScripts(r) : [r]));
  return [
    '### Cost per call with n jobs in a state',
    '',
    'Redis µs per call (SLOWLOG, the script named) with n jobs in the state; the last columns, ' +
      'at the largest n: `INFO commandstats` usec_per_call of all EVALSHAs in the window (the ' +
      'drains mix fetch, complete and the worker’s start-up), and the commands the scripts ran ' +
      'per call.',
    '',
    row([
      'Operation',
      'Script',
      ...sizes.map((n) => `n=${k(n)}`),
      'Verdict',
      'commandstats µs',
      'inner commands / call',
    ]),
    row(['---', '---', ...sizes.map(() => '---:'), '---', '---:', '---']),
    ...all.map((r) => opRowMarkdown(r, sizes)),
  ].join('\n');
}

/** A consumer-group reclaim pass with N entries pending on a consumer that went away. */
export async function reclaimRows(ctx: ProbeContext): Promise<string> {
  const sizes = ctx.sizes.pending;
  const rows: OpRow[] = [
    { label: 'reclaim, N pending, none idle yet', script: 'stream_group_reclaim', bySize: [] },
    {
      label: 'reclaim, N pending, all idle (claims 10 per call)',
      script: 'stream_group_reclaim',
      bySize: [],
    },
    { label: 'group.stats(), N pending', script: 'stream_group_stats', bySize: [] },
  ];
  for (const n of sizes) {
    for (const idle of [false, true]) {
      await fresh(ctx);
      const hub = new Streams({ connection: ctx.url });
      const topic = hub.topic<{ i: number }>('scale', { maxLen: 10 * n });
      for (let i = 0; i < n; i += 1000)
        await topic.publishBulk(
          Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ data: { i: i + j } })),
        );
      const group = topic.group('g');
      await group.create();
      const stream = await streamKey(ctx.redis);
      // A consumer that reads everything and goes away: N entries pending on it.
      await ctx.redis.xreadgroup('GROUP', 'g', 'dead', 'COUNT', n, 'STREAMS', stream, '>');
      if (idle) await sleep(150);
      rows[idle ? 1 : 0]!.bySize.push(
        await op(ctx, 1, async () => {
          const p = group.process(async () => {}, {
            consumer: 'live',
            concurrency: 10,
            claimIdleMs: idle ? 100 : 600_000,
            reclaimIntervalMs: 20,
            blockMs: 500,
          });
          await sleep(1000);
          await p.close();
        }),
      );
      if (!idle) rows[2]!.bySize.push(await op(ctx, 20, () => group.stats()));
      await hub.close();
    }
    ctx.log(`reclaim at ${k(n)} pending done`);
  }
  return [
    '### Consumer groups: reclaim with N pending',
    '',
    'N entries delivered (XREADGROUP) to a consumer that then went away; a live consumer ' +
      '(concurrency 10, reclaim every 20 ms) runs for 1 s. "None idle": `claimIdleMs` 10 min, so ' +
      'each reclaim call only looks; "all idle": `claimIdleMs` 100 ms, each call takes up to 10 ' +
      '(the free slots) and the handler acks them.',
    '',
    row([
      'Operation',
      'Script',
      ...sizes.map((n) => `N=${k(n)}`),
      'Verdict',
      'commandstats µs',
      'inner commands / call',
    ]),
    row(['---', '---', ...sizes.map(() => '---:'), '---', '---:', '---']),
    ...rows.map((r) => opRowMarkdown(r, sizes)),
  ].join('\n');
}

async function streamKey(redis: Redis): Promise<string> {
  for (const key of await allKeys(redis))
    if ((await redis.type(key)) === 'stream' && !key.includes(':dlq:')) return key;
  throw new Error('no stream key found');
}

/** Where every byte of a waiting job goes: MEMORY USAGE of each key, ÷ jobs, vs a plain list. */
export async function bytesBreakdown(ctx: ProbeContext): Promise<string> {
  const n = ctx.sizes.jobs[Math.min(1, ctx.sizes.jobs.length - 1)]!;
  await fresh(ctx);
  const q = new Queue(QUEUE, { connection: ctx.url });
  await q.isPaused();
  const before = await baseline(ctx);
  const warmBytes = await warmKeysBytes(ctx.redis);
  await fill(q, n);
  await q.close();
  const total = ((await usedMemory(ctx.redis)) - before) / n;
  const kinds = new Map<string, { keys: number; bytes: number; type: string; about: string }>();
  for (const key of await allKeys(ctx.redis)) {
    if (key.includes('{warm}')) continue;
    const type = await ctx.redis.type(key);
    const bytes = Number(await ctx.redis.memory('USAGE', key, 'SAMPLES', '0'));
    const kind = key.replace(/[0-9a-f]{8,}|\d{3,}/g, '<id>');
    const k0 = kinds.get(kind) ?? {
      keys: 0,
      bytes: 0,
      type,
      about: await describe(ctx.redis, key, type),
    };
    k0.keys++;
    k0.bytes += bytes;
    kinds.set(kind, k0);
  }
  // The floor: the payload alone in a list.
  await fresh(ctx);
  const b0 = await usedMemory(ctx.redis);
  for (let i = 0; i < n; i += 1000)
    await ctx.redis.rpush(
      'floor',
      ...Array.from({ length: Math.min(1000, n - i) }, (_, j) => JSON.stringify(makeJob(i + j))),
    );
  const floor = ((await usedMemory(ctx.redis)) - b0) / n;
  const sum = ([...kinds.values()].reduce((s, x) => s + x.bytes, 0) - warmBytes) / n;
  const lines = [
    `### Where every byte of a waiting job goes (${n.toLocaleString('en')} waiting jobs)`,
    '',
    '`MEMORY USAGE <key> SAMPLES 0` (exact) of every key in Redis, ÷ jobs; keys whose names ' +
      'differ only by an id are summed as one kind. "Rest" is `used_memory` growth not inside ' +
      'any key: the keyspace dictionary entry of each key and allocator rounding.',
    '',
    row(['Key (kind)', 'Type', 'Keys', 'B/job', 'What is in it (sample)']),
    row(['---', '---', '---:', '---:', '---']),
    ...[...kinds]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .map(([kind, x]) => row([`\`${kind}\``, x.type, x.keys, (x.bytes / n).toFixed(1), x.about])),
    row(['rest (keyspace entries, allocator)', '', '', (total - sum).toFixed(1), '']),
    row(['**total** (`used_memory` growth)', '', '', `**${total.toFixed(1)}**`, '']),
    row([
      'floor: the payload alone in one list',
      'list',
      1,
      floor.toFixed(1),
      'RPUSH of the 100 B JSON',
    ]),
    '',
    `Above the floor: ${(total - floor).toFixed(0)} B per waiting job ` +
      `(${(total / floor).toFixed(2)}× the floor).`,
  ];
  return lines.join('\n');
}

/** Bytes of the keys that exist before the fill (the warm-up queue, the registry). */
async function warmKeysBytes(redis: Redis): Promise<number> {
  let sum = 0;
  for (const key of await allKeys(redis))
    if (!key.includes('{warm}')) sum += Number(await redis.memory('USAGE', key, 'SAMPLES', '0'));
  return sum;
}

/** Entries, encoding and a sample entry's size, for the breakdown table. */
async function describe(redis: Redis, key: string, type: string): Promise<string> {
  const enc = String(await redis.object('ENCODING', key));
  if (type === 'hash') {
    const len = await redis.hlen(key);
    const sample = (await redis.hrandfield(key, 20, 'WITHVALUES')) as string[];
    let f = 0;
    let v = 0;
    for (let i = 0; i < sample.length; i += 2) {
      f += sample[i]!.length;
      v += sample[i + 1]!.length;
    }
    const m = sample.length / 2 || 1;
    return `${len.toLocaleString('en')} fields (${enc}); mean field ${(f / m).toFixed(0)} B + value ${(v / m).toFixed(0)} B`;
  }
  if (type === 'zset') {
    const len = await redis.zcard(key);
    const [member] = await redis.zrange(key, 0, 0);
    return `${len.toLocaleString('en')} members (${enc}); member ${member?.length ?? 0} B`;
  }
  if (type === 'list') return `${(await redis.llen(key)).toLocaleString('en')} items (${enc})`;
  if (type === 'set') return `${(await redis.scard(key)).toLocaleString('en')} members (${enc})`;
  if (type === 'stream') return `${(await redis.xlen(key)).toLocaleString('en')} entries`;
  if (type === 'string') return `${await redis.strlen(key)} B (${enc})`;
  return enc;
}
