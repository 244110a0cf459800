/**
 * Stream bench: publish → subscriber latency (p50/p99) at a steady rate, and end-to-end
 * throughput, of a Sluice durable topic and a Sluice ephemeral topic, side by side with plain
 * Redis Pub/Sub (ioredis PUBLISH → SUBSCRIBE) on the same Redis in the same run. Publisher and
 * subscriber live in this process on separate connections; the runs alternate (Pub/Sub,
 * durable, ephemeral, and again) so drift in the machine's load hits all three alike.
 *
 * `bench/run.ts` imports {@link runStreamBench}; `npx tsx bench/stream.ts [--quick]` runs it
 * alone on a redis-server of its own.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Streams } from '../src/index.js';
import { topicKeys } from '../src/redis/keys.js';
import { scriptSource } from '../src/redis/scripts.js';
import { RedisServer } from '../test/harness/redis-server.js';

type Mode = 'pubsub' | 'rawstream' | 'script' | 'durable' | 'ephemeral';
const LABEL: Record<Mode, string> = {
  pubsub: 'Redis Pub/Sub (ioredis, baseline)',
  rawstream: 'raw stream floor: XADD → XREAD BLOCK (ioredis)',
  script: "Sluice's publish script from plain ioredis, plain subscriber",
  durable: 'Sluice durable topic (stream)',
  ephemeral: 'Sluice ephemeral topic (Pub/Sub)',
};
const MODES: Mode[] = ['pubsub', 'rawstream', 'script', 'durable', 'ephemeral'];

interface Msg {
  i: number;
  t: number;
  pad: string;
}

/** One publisher and one subscriber of `mode`, with a hook for each message received. */
interface Rig {
  publish(msg: Msg): Promise<unknown>;
  onMessage(fn: (msg: Msg) => void): void;
  close(): Promise<void>;
}

async function rig(mode: Mode, url: string, run: number): Promise<Rig> {
  let handler: (msg: Msg) => void = () => {};
  if (mode === 'pubsub') {
    const pub = new Redis(url);
    const sub = new Redis(url);
    const channel = `bench:pubsub:${run}`;
    sub.on('message', (_c: string, m: string) => handler(JSON.parse(m) as Msg));
    await sub.subscribe(channel);
    return {
      publish: (m) => pub.publish(channel, JSON.stringify(m)),
      onMessage: (fn) => (handler = fn),
      close: async () => {
        pub.disconnect();
        sub.disconnect();
      },
    };
  }
  if (mode === 'rawstream') {
    // The least a stream subscriber can do: one XREAD BLOCK after the last id, again and again.
    const pub = new Redis(url);
    const sub = new Redis(url);
    const key = `bench:rawstream:${run}`;
    let last = (await pub.xadd(key, '*', 'd', '{}'))!;
    let open = true;
    void (async () => {
      while (open) {
        const reply = (await sub.xread('BLOCK', 0, 'STREAMS', key, last).catch(() => null)) as
          [string, [string, string[]][]][] | null;
        for (const [, entries] of reply ?? [])
          for (const [id, fields] of entries) {
            last = id;
            handler(JSON.parse(fields[1]!) as Msg);
          }
      }
    })();
    return {
      publish: (m) => pub.xadd(key, 'MAXLEN', '~', 100_000, '*', 'd', JSON.stringify(m)),
      onMessage: (fn) => (handler = fn),
      close: async () => {
        open = false;
        pub.disconnect();
        sub.disconnect();
      },
    };
  }
  if (mode === 'script') {
    // The durable publish's Redis side alone: its script (same keys and arguments as a topic
    // with maxLen 100,000) sent by plain ioredis, its notification read by a plain subscriber.
    const pub = new Redis(url);
    const sub = new Redis(url);
    const k = topicKeys(`bench${run}`, 'bench');
    const sha = (await pub.script('LOAD', scriptSource('stream_publish'))) as string;
    const fixed = [5, k.stream, k.meta, k.idem, k.idemz, k.errors, 'e1', k.live, 100_000, 0, 0];
    // protect, groupLiveMs, idempotency window, inline limit (the defaults), 1 entry, no key
    const rest = ['1', 3_600_000, 300_000, 64 * 1024, 1, ''];
    sub.on('message', (_c: string, n: string) =>
      handler(JSON.parse(n.slice(n.lastIndexOf('\n') + 1)) as Msg),
    );
    await sub.subscribe(k.live);
    return {
      publish: (m) => pub.call('EVALSHA', [sha, ...fixed, ...rest, JSON.stringify(m)]),
      onMessage: (fn) => (handler = fn),
      close: async () => {
        pub.disconnect();
        sub.disconnect();
      },
    };
  }
  const prefix = `bench${run}`;
  const pubHub = new Streams({ connection: url, prefix });
  const subHub = new Streams({ connection: url, prefix });
  if (mode === 'durable') {
    const topic = pubHub.topic<Msg>('bench', { maxLen: 100_000 });
    const sub = subHub.topic<Msg>('bench').subscribe();
    await sub.ready();
    void (async () => {
      for await (const ev of sub) if (ev.type === 'entry') handler(ev.entry.data);
    })();
    return {
      publish: (m) => topic.publish(m),
      onMessage: (fn) => (handler = fn),
      close: async () => {
        await subHub.close();
        await pubHub.close();
      },
    };
  }
  const topic = pubHub.ephemeral<Msg>('bench');
  const sub = subHub.ephemeral<Msg>('bench').subscribe();
  await sub.ready();
  void (async () => {
    for await (const ev of sub) if (ev.type === 'entry') handler(ev.entry.data);
  })();
  return {
    publish: (m) => topic.publish(m),
    onMessage: (fn) => (handler = fn),
    close: async () => {
      await subHub.close();
      await pubHub.close();
    },
  };
}

const PAD = 'x'.repeat(64); // ~100 B of JSON per message

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `p` settles or after `ms`, whichever is first, leaving no timer behind. */
async function within(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** Latency at a steady `rate` msg/s: `count` messages, each stamped with its send time. */
async function latencyRun(r: Rig, rate: number, count: number, into: number[]): Promise<void> {
  let received = 0;
  let allIn!: () => void;
  const done = new Promise<void>((res) => (allIn = res));
  r.onMessage((m) => {
    into.push(performance.now() - m.t);
    if (++received === count) allIn();
  });
  const start = performance.now();
  const interval = 1000 / rate;
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait - 0.5);
    while (performance.now() < due) await new Promise((res) => setImmediate(res));
    inflight.push(r.publish({ i, t: performance.now(), pad: PAD }));
  }
  await Promise.all(inflight);
  await within(done, 10_000);
  if (received < count) throw new Error(`only ${received}/${count} messages arrived`);
}

/** End-to-end throughput: `count` messages, `window` publishes in flight, until all arrive. */
async function throughputRun(r: Rig, count: number, window: number): Promise<number> {
  let received = 0;
  let allIn!: () => void;
  const done = new Promise<void>((res) => (allIn = res));
  r.onMessage(() => {
    if (++received === count) allIn();
  });
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (next < count) await r.publish({ i: next++, t: performance.now(), pad: PAD });
    }),
  );
  await within(done, 30_000);
  if (received < count) throw new Error(`only ${received}/${count} messages arrived`);
  return count / ((performance.now() - start) / 1000);
}

/** Calls and µs per call of `names`, from Redis's own command statistics. */
async function commandCost(
  redis: Redis,
  names: string[],
): Promise<{ name: string; calls: number; usec: number }[]> {
  const stats = await redis.info('commandstats');
  return names.flatMap((name) => {
    const m = new RegExp(
      `^cmdstat_${name}:calls=(\\d+),usec=\\d+,usec_per_call=([\\d.]+)`,
      'm',
    ).exec(stats);
    return m ? [{ name, calls: Number(m[1]), usec: Number(m[2]) }] : [];
  });
}

const fmt = (ms: number) => (ms < 1 ? ms.toFixed(3) : ms.toFixed(2));
const ratio = (x: number, base: number) => `${(x / base).toFixed(2)}×`;

/**
 * Runs the stream bench against the Redis at `redisUrl` and returns a markdown section.
 * @example
 * ```ts
 * const md = await runStreamBench({ redisUrl: server.url, quick: true });
 * ```
 */
export async function runStreamBench(opts: { redisUrl: string; quick: boolean }): Promise<string> {
  return (await streamBench(opts)).markdown;
}

/** What the target checklist needs from a stream run (see `lib/targets.ts`). */
export interface StreamBenchFigures {
  durableP50: number;
  pubsubP50: number;
  /** Durable p50 ÷ Pub/Sub p50 of all samples, and the range of the per-round ratio. */
  ratio: { ofMedians: number; min: number; max: number; rounds: number };
}

/** {@link runStreamBench} with the figures of the target checklist beside the markdown. */
export async function streamBench(opts: {
  redisUrl: string;
  quick: boolean;
}): Promise<{ markdown: string; figures: StreamBenchFigures }> {
  const rate = 1000;
  const slice = 250; // messages per mode before switching to the next mode
  const latCount = opts.quick ? 1500 : 6000;
  const tputCount = opts.quick ? 10_000 : 60_000;
  const window = 64;
  const rounds = opts.quick ? 2 : 3;
  const lat = Object.fromEntries(MODES.map((m) => [m, []])) as unknown as Record<Mode, number[]>;
  const tput = Object.fromEntries(MODES.map((m) => [m, []])) as unknown as Record<Mode, number[]>;
  const probe = new Redis(opts.redisUrl);
  const info = (await probe.info('server')).match(/redis_version:(\S+)/)?.[1] ?? '?';
  await probe.config('RESETSTAT');
  const rigs = {} as Record<Mode, Rig>;
  const roundRatios: number[] = [];
  try {
    for (const [i, mode] of MODES.entries()) {
      rigs[mode] = await rig(mode, opts.redisUrl, i);
      await latencyRun(rigs[mode], 2000, 1000, []); // warm-up: connections, scripts, JIT
    }
    // Time slices of each mode in turn, so load drift on the machine hits all modes alike; the
    // slices are grouped in `rounds` rounds, each giving its own durable / Pub/Sub p50 ratio.
    const perRound = Math.ceil(latCount / slice / rounds) * slice;
    for (let sent = 0; sent < latCount; sent += perRound) {
      const round = Object.fromEntries(MODES.map((m) => [m, []])) as unknown as Record<
        Mode,
        number[]
      >;
      for (let inRound = 0; inRound < perRound && sent + inRound < latCount; inRound += slice)
        for (const mode of MODES) await latencyRun(rigs[mode], rate, slice, round[mode]);
      for (const mode of MODES) lat[mode].push(...round[mode]);
      const p50 = (m: Mode) =>
        percentile(
          [...round[m]].sort((a, b) => a - b),
          50,
        );
      roundRatios.push(p50('durable') / p50('pubsub'));
    }
    for (let round = 0; round < rounds; round++)
      for (const mode of MODES)
        tput[mode].push(await throughputRun(rigs[mode], tputCount / rounds, window));
  } finally {
    for (const r of Object.values(rigs)) await r.close();
  }
  const usec = await commandCost(probe, [
    'fcall',
    'evalsha',
    'publish',
    'xadd',
    'xrevrange',
    'hmget',
  ]);
  probe.disconnect();
  for (const mode of MODES) lat[mode].sort((a, b) => a - b);
  const p = (mode: Mode, q: number) => percentile(lat[mode], q);
  const best = (mode: Mode) => Math.max(...tput[mode]);

  const lines = [
    '## Streams: publish → subscriber',
    '',
    `Same Redis ${info}, one Node process (publisher and subscriber on separate connections), ` +
      `${cpus().length} CPUs, no persistence, ~100 B JSON per message. The modes take turns ` +
      `(latency in slices of ${slice} messages, throughput in ${rounds} rounds), so load on the ` +
      `machine hits all alike. Command: \`npx tsx bench/stream.ts${opts.quick ? ' --quick' : ''}\`.`,
    '',
    `### Latency at a steady ${rate} msg/s (${latCount} messages per mode)`,
    '',
    `Durable p50 ÷ Pub/Sub p50, per round (${roundRatios.length} rounds of slices): ` +
      roundRatios.map((r) => `${r.toFixed(2)}×`).join(', ') +
      '.',
    '',
    '| mode | p50 (ms) | p99 (ms) | p50 vs Pub/Sub | p99 vs Pub/Sub | p50 vs raw stream |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...MODES.map(
      (m) =>
        `| ${LABEL[m]} | ${fmt(p(m, 50))} | ${fmt(p(m, 99))} | ${ratio(p(m, 50), p('pubsub', 50))} | ${ratio(p(m, 99), p('pubsub', 99))} | ${ratio(p(m, 50), p('rawstream', 50))} |`,
    ),
    '',
    `### Throughput, end to end (${tputCount} messages per mode, ${window} publishes in flight, best of ${rounds} rounds)`,
    '',
    '| mode | msgs/s | vs Pub/Sub |',
    '| --- | ---: | ---: |',
    ...MODES.map(
      (m) =>
        `| ${LABEL[m]} | ${Math.round(best(m)).toLocaleString('en-US')} | ${ratio(best(m), best('pubsub'))} |`,
    ),
    '',
    'A durable publish is one Lua script (XADD, trim, idempotency, PUBLISH of the entry with ' +
      'its predecessor id); the subscriber takes it from Pub/Sub and checks the chain, reading ' +
      'the stream only when something is missing. Target (bench/README.md): durable p50/p99 within ' +
      '1.2× of Pub/Sub. The raw stream row is the floor of a stream read by XREAD BLOCK (no ' +
      'ids checked, no retention, no idempotency); the script row is the Redis side of a durable ' +
      'publish alone (script + Pub/Sub notification, no Sluice code on either side), so the ' +
      'durable row minus the script row is what the Sluice client code costs.',
    '',
    '### Redis time per call in this run (`INFO commandstats`, µs)',
    '',
    "EVALSHA is the durable publish script (and the subscribers' rare reads), its time including " +
      'the commands it runs; PUBLISH is Pub/Sub and ephemeral publishes (and the PUBLISH inside ' +
      'each script); the others run only inside the scripts.',
    '',
    '| command | calls | µs per call |',
    '| --- | ---: | ---: |',
    ...usec.map((c) => `| ${c.name.toUpperCase()} | ${c.calls} | ${c.usec.toFixed(2)} |`),
    '',
  ];
  return {
    markdown: lines.join('\n'),
    figures: {
      durableP50: p('durable', 50),
      pubsubP50: p('pubsub', 50),
      ratio: {
        ofMedians: p('durable', 50) / p('pubsub', 50),
        min: Math.min(...roundRatios),
        max: Math.max(...roundRatios),
        rounds: roundRatios.length,
      },
    },
  };
}

const invokedDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const quick = process.argv.includes('--quick');
  const server = await RedisServer.start({ persistence: 'none' });
  try {
    process.stdout.write(await runStreamBench({ redisUrl: server.url, quick }));
  } finally {
    await server.stop();
  }
}
