/**
 * Gateway bench: N concurrent subscribers (default 10,000) on ONE server process, over the
 * gateway's WebSocket, its SSE, and Socket.IO 4 + @socket.io/redis-streams-adapter, on the same
 * private redis-server, in the same run; then the workflow shape (1,000 live topics × 10
 * subscribers each) on the gateway with its Redis connections and commands per second.
 *
 * Per contender: a fresh server process; load clients in `--procs` processes of their own
 * (loopback); memory per idle connection (heap and RSS after a full GC, before vs after the
 * connections); a steady phase (`--rate` broadcasts/s for `--seconds`, publish → client
 * delivery latency from a monotonic stamp in the message); a burst (`--burst` broadcasts at
 * once: fan-out deliveries/s until the last client has the last one). Publishes come from this
 * process through Redis: the library's `publish` for the gateway, a Socket.IO server of its own
 * (`io.to(room).emit`, through the adapter's stream) for Socket.IO.
 *
 *   npx tsx bench/gateway/run.ts [--connections 10000] [--procs 2] [--rate 3] [--seconds 5]
 *     [--burst 100] [--topics 1000] [--workflow-rate 500] [--only ws,sse,sio,workflow]
 *     [--reps 3] [--tiny] [--out bench/RESULTS.md] [--json FILE] [--cpu-prof DIR]
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Streams } from '../../src/index.js';
import { RedisServer } from '../../test/harness/redis-server.js';
import { RedisAdmin } from '../lib/redis-admin.js';
import { procCpuMs } from '../lib/proc.js';
import { nowNs, percentiles } from './latency.js';
import { startChild, stopChild, type Child } from './procs.js';
import { medianOf, writeReport, type RunResult } from './report.js';

const argv = process.argv.slice(2);
const tiny = argv.includes('--tiny');
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const num = (name: string, dflt: number, tinyValue: number) =>
  Number(opt(name, String(tiny ? tinyValue : dflt)));
const N = num('connections', 10_000, 200);
const PROCS = num('procs', 2, 1);
const RATE = num('rate', 3, 10);
const SECONDS = num('seconds', 5, 1);
const BURST = num('burst', 100, 10);
const TOPICS = num('topics', 1000, 20);
const WF_RATE = num('workflow-rate', 500, 50);
const REPS = num('reps', 3, 1);
const ONLY = opt('only', 'ws,sse,sio,workflow').split(',');
const OUT = opt('out', 'bench/RESULTS.md');
const JSON_OUT = opt('json', '');
const PROF = opt('cpu-prof', '');
const started = Date.now();
const loadStart = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const redis = await RedisServer.start();
const admin = new RedisAdmin(redis.url, false);
const prefix = 'gwbench';
const streams = new Streams({ connection: redis.url, prefix });
const pubRedis = new Redis(redis.url);
const pubIo = new Server({ adapter: createAdapter(pubRedis, { streamName: `${prefix}:sio` }) });
const payload = (seq: number) => ({ t: nowNs(), seq, pad: 'x'.repeat(64) });

type Kind = 'ws' | 'sse' | 'sio' | 'workflow';

/** Publishes one broadcast to `topic` the contender's way. */
function publisher(kind: Kind): (topic: string, seq: number) => Promise<unknown> {
  if (kind === 'sio') return async (topic, seq) => void pubIo.to(topic).emit('m', payload(seq));
  const topics = new Map<string, ReturnType<Streams['topic']>>();
  return (topic, seq) => {
    let t = topics.get(topic);
    if (!t) topics.set(topic, (t = streams.topic(topic, { maxLen: 10_000 })));
    return t.publish(payload(seq));
  };
}

interface Report {
  sparse: [number, number][];
  received: number;
  min: number;
  max: number;
  lastAt: number;
  closed: number;
}

async function reports(clients: Child[]) {
  const rs = await Promise.all(clients.map((c) => c.ask<Report>('report')));
  return {
    sparse: rs.flatMap((r) => r.sparse),
    received: rs.reduce((a, r) => a + r.received, 0),
    min: Math.min(...rs.map((r) => r.min)),
    lastAt: Math.max(...rs.map((r) => r.lastAt)),
    closed: rs.reduce((a, r) => a + r.closed, 0),
  };
}

/** Waits until the clients got `expected` messages (or `ms` passed); the final reports. */
async function settle(clients: Child[], expected: number, ms: number) {
  const until = Date.now() + ms;
  for (;;) {
    const r = await reports(clients);
    if (r.received >= expected || Date.now() > until) return r;
    await sleep(200);
  }
}

async function redisClients(): Promise<number> {
  const list = (await admin.client.call('CLIENT', 'LIST')) as string;
  return list.trim().split('\n').length;
}

async function runOne(kind: Kind): Promise<RunResult> {
  await admin.fresh();
  const before = await redisClients();
  const server = startChild(
    'servers.ts',
    [kind === 'sio' ? 'sio' : 'gateway', redis.url, prefix],
    PROF ? ['--cpu-prof', '--cpu-prof-dir', `${PROF}/${kind}`] : [],
  );
  const { port } = await server.next<{ port: number }>('listening');
  type Mem = { heapUsed: number; rss: number; stats: Record<string, number> };
  const mem0 = await server.ask<Mem>('mem');
  const topicSpec = kind === 'workflow' ? `mod:run:${TOPICS}` : 'one:bench';
  const protocol = kind === 'workflow' ? 'ws' : kind;
  const per = Math.ceil(N / PROCS);
  const t0 = Date.now();
  const base = `${protocol === 'sse' ? 'http' : 'ws'}://127.0.0.1:${port}`;
  const clients = Array.from({ length: PROCS }, (_, i) =>
    startChild('clients.ts', [
      ...[protocol, base, String(Math.min(per, N - i * per))],
      ...[topicSpec, String(i * per), '300'],
    ]),
  );
  try {
    await Promise.all(clients.map((c) => c.next('ready', 240_000)));
    const connectS = (Date.now() - t0) / 1000;
    await sleep(1000);
    const mem1 = await server.ask<Mem>('mem');
    const redisConns = (await redisClients()) - before;
    const publish = publisher(kind);
    const topicOf = (i: number) => (kind === 'workflow' ? `run:${i % TOPICS}` : 'bench');
    const perMessage = kind === 'workflow' ? N / TOPICS : N;
    const rate = kind === 'workflow' ? WF_RATE : RATE;

    // Steady phase.
    await Promise.all(clients.map((c) => c.ask('reset')));
    await admin.client.config('RESETSTAT');
    const cpu0 = procCpuMs(server.proc.pid);
    const s0 = Date.now();
    const msgs = Math.round(rate * SECONDS);
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < msgs; i++) {
      const due = s0 + (i * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      inflight.push(publish(topicOf(i), i));
    }
    await Promise.all(inflight);
    const steady = await settle(clients, msgs * perMessage, 10_000);
    const steadyS = (Date.now() - s0) / 1000;
    const cpuSteady = (procCpuMs(server.proc.pid) - cpu0) / 10 / steadyS;
    const cmds = await admin.commandStats();
    const lat = percentiles(steady.sparse, [0.5, 0.99]);

    // Burst: every broadcast at once; fan-out until the last delivery.
    let fanout = NaN;
    let burstDelivered = 0;
    if (kind !== 'workflow') {
      await Promise.all(clients.map((c) => c.ask('reset')));
      const b0 = nowNs();
      await Promise.all(Array.from({ length: BURST }, (_, i) => publish('bench', msgs + i)));
      const burst = await settle(clients, BURST * N, 30_000);
      burstDelivered = burst.received;
      fanout = burst.received / ((burst.lastAt - b0) / 1e9);
    }
    const mem2 = await server.ask<Mem>('mem');
    return {
      kind,
      connections: N,
      connectS,
      heapPerConn: (mem1.heapUsed - mem0.heapUsed) / N,
      rssPerConn: (mem1.rss - mem0.rss) / N,
      rate,
      seconds: SECONDS,
      expected: msgs * perMessage,
      delivered: steady.received,
      minPerConn: steady.min,
      p50Ms: lat.values[0]! / 1000,
      p99Ms: lat.values[1]! / 1000,
      maxMs: lat.maxUs / 1000,
      burst: BURST,
      burstExpected: BURST * N,
      burstDelivered,
      fanout,
      serverCpuPct: cpuSteady,
      redisConns,
      commands: Object.fromEntries(
        Object.entries(cmds).filter(([k]) => !/^(config|info|client)/.test(k)),
      ),
      steadyS,
      closed: steady.closed,
      stats: mem2.stats,
    };
  } finally {
    await Promise.all(clients.map((c) => stopChild(c)));
    await stopChild(server);
  }
}

// Repetitions interleave the contenders (ws, sse, sio, ws, …) so a load spike from other work
// on the machine falls on all of them; each cell is the median of the repetitions.
const runs: RunResult[] = [];
for (let rep = 1; rep <= REPS; rep++)
  for (const kind of ['ws', 'sse', 'sio', 'workflow'] as Kind[]) {
    if (!ONLY.includes(kind) || (kind === 'workflow' && rep > 1)) continue;
    console.error(`gateway bench: ${kind} rep ${rep} (${N} connections)…`);
    const r = await runOne(kind);
    console.error(`  ${JSON.stringify({ ...r, commands: undefined })}`);
    runs.push(r);
  }
const results = ONLY.flatMap((kind) => {
  const of = runs.filter((r) => r.kind === kind);
  return of.length ? [medianOf(of)] : [];
});
pubRedis.disconnect(); // the publishing Socket.IO server has no engine to close
await streams.close();
await admin.close();
await redis.stop();
const command = `npx tsx bench/gateway/run.ts ${argv.join(' ')}`.trim();
writeReport(OUT, results, {
  command,
  seconds: (Date.now() - started) / 1000,
  loadStart,
  loadEnd: loadavg()
    .map((x) => x.toFixed(2))
    .join(' '),
  procs: PROCS,
  reps: REPS,
  tiny,
});
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(runs, null, 2));
process.exit(0);
