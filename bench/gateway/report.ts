/**
 * The gateway bench's section of `bench/RESULTS.md`: written in place of the previous
 * `## Gateway` section (or appended), with the command, the machine's load, one table for the
 * 10,000-subscriber broadcast (gateway WebSocket, gateway SSE, Socket.IO), the targets, and one
 * for the workflow shape.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { machineInfo } from '../lib/proc.js';

/** What one contender's run measured. */
export interface RunResult {
  kind: string;
  connections: number;
  connectS: number;
  heapPerConn: number;
  rssPerConn: number;
  rate: number;
  seconds: number;
  expected: number;
  delivered: number;
  minPerConn: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  burst: number;
  burstExpected: number;
  burstDelivered: number;
  fanout: number;
  serverCpuPct: number;
  redisConns: number;
  commands: Record<string, { calls: number; usec: number }>;
  steadyS: number;
  closed: number;
  stats: Record<string, number>;
  /** min–max over the repetitions (set by {@link medianOf}). */
  ranges?: Record<string, [number, number]>;
}

export interface ReportMeta {
  command: string;
  seconds: number;
  loadStart: string;
  loadEnd: string;
  procs: number;
  reps: number;
  tiny: boolean;
}

/** One result of several repetitions: each number the median, with min–max in `ranges`. */
export function medianOf(runs: RunResult[]): RunResult {
  const out = { ...runs[Math.floor((runs.length - 1) / 2)]!, ranges: {} } as RunResult & {
    ranges: Record<string, [number, number]>;
  };
  for (const key of ['p50Ms', 'p99Ms', 'maxMs', 'fanout', 'serverCpuPct', 'connectS'] as const) {
    const v = runs.map((r) => r[key]).sort((a, b) => a - b);
    out[key] = v[Math.floor((v.length - 1) / 2)]!;
    out.ranges[key] = [v[0]!, v.at(-1)!];
  }
  return out;
}

const NAMES: Record<string, string> = {
  ws: 'Sluice gateway, WebSocket',
  sse: 'Sluice gateway, SSE',
  sio: 'Socket.IO 4.8 + redis-streams-adapter 0.3',
};
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
/** `median (min–max)` when there were several repetitions. */
function cell(r: RunResult, key: string, value: number, f: (n: number) => string): string {
  const range = r.ranges?.[key];
  return range && range[0] !== range[1] ? `${f(value)} (${f(range[0])}–${f(range[1])})` : f(value);
}
const bytes = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

function version(pkg: string): string {
  try {
    const json = readFileSync(
      new URL(`../../node_modules/${pkg}/package.json`, import.meta.url),
      'utf8',
    );
    return (JSON.parse(json) as { version: string }).version;
  } catch {
    return '?';
  }
}

function commandsPerSecond(r: RunResult): { total: number; top: string } {
  const rows = Object.entries(r.commands).map(([k, v]) => [k, v.calls / r.steadyS] as const);
  const total = rows.reduce((a, [, v]) => a + v, 0);
  const top = rows
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([k, v]) => `${k} ${int(v)}`)
    .join(', ');
  return { total, top };
}

/** The markdown section. */
export function section(results: RunResult[], meta: ReportMeta): string {
  const m = machineInfo();
  const broadcast = results.filter((r) => r.kind !== 'workflow');
  const wf = results.find((r) => r.kind === 'workflow');
  const lines = [
    `## Gateway: ${int(results[0]?.connections ?? 0)} subscribers on one process`,
    '',
    `- Date: ${new Date().toISOString()} (run took ${Math.round(meta.seconds)} s)${meta.tiny ? '; **tiny mode** (harness check, figures mean nothing)' : ''}`,
    `- Command: \`${meta.command}\``,
    `- Machine: ${m.cores} cores (${m.cpuModel}), shared with other work; load average (1/5/15 min) at start / end: ${meta.loadStart} / ${meta.loadEnd}`,
    `- Versions: Node ${process.version}, socket.io ${version('socket.io')}, @socket.io/redis-streams-adapter ${version('@socket.io/redis-streams-adapter')}, ws ${version('ws')}`,
    `- One server process per row (fresh), one private redis-server (no persistence); load clients in ${meta.procs} process(es) of their own on loopback; the publisher in the bench process. ${meta.reps} repetition(s), the contenders interleaved; cells are the median (min–max), delivered counts those of the median run. Latency: publish call → client's message event, from a CLOCK_MONOTONIC stamp in the message. Memory: server heap and RSS after a full GC, before vs after the idle connections (each subscribed).`,
    '',
    '| Server | Connections (connect s) | Heap / idle conn | RSS / idle conn | Steady: broadcasts/s × s | Delivered | p50 ms | p99 ms | max ms | Server CPU (steady) | Burst fan-out msg/s | Redis conns |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of broadcast)
    lines.push(
      `| ${NAMES[r.kind] ?? r.kind} | ${int(r.connections)} (${r.connectS.toFixed(1)}) | ${bytes(r.heapPerConn)} | ${bytes(r.rssPerConn)} | ${r.rate} × ${r.seconds} | ${int(r.delivered)} / ${int(r.expected)} | ${cell(r, 'p50Ms', r.p50Ms, ms)} | ${cell(r, 'p99Ms', r.p99Ms, ms)} | ${ms(r.maxMs)} | ${Math.round(r.serverCpuPct)} % | ${cell(r, 'fanout', r.fanout, int)} (${int(r.burstDelivered)} / ${int(r.burstExpected)}) | ${r.redisConns} |`,
    );
  const sio = broadcast.find((r) => r.kind === 'sio');
  const targets: string[] = [];
  for (const r of broadcast.filter((x) => x.kind !== 'sio')) {
    if (!sio) break;
    const f = r.fanout / sio.fanout;
    const p = r.p99Ms / sio.p99Ms;
    targets.push(
      `- [${f >= 2 ? 'x' : ' '}] ${NAMES[r.kind]}: fan-out ≥ 2× Socket.IO's — ${f >= 2 ? '**met**' : '**not met**'}: ${f.toFixed(2)}× (${int(r.fanout)} vs ${int(sio.fanout)} msg/s)`,
      `- [${p <= 1 ? 'x' : ' '}] ${NAMES[r.kind]}: p99 ≤ Socket.IO's — ${p <= 1 ? '**met**' : '**not met**'}: ${p.toFixed(2)}× (${ms(r.p99Ms)} vs ${ms(sio.p99Ms)} ms)`,
    );
  }
  if (targets.length) lines.push('', 'Targets (bench/README.md):', '', ...targets);
  const ws = broadcast.find((r) => r.kind === 'ws');
  if (ws?.stats.encodedWs !== undefined)
    lines.push(
      '',
      `Encoding: the WebSocket server encoded ${int(ws.stats.encodedWs)} frames for ${int(ws.stats.delivered ?? NaN)} deliveries (once per entry, not per client); slow-consumer drops: ${ws.stats.slowDropped ?? 0}.`,
    );
  if (wf) {
    const c = commandsPerSecond(wf);
    lines.push(
      '',
      `### Workflow shape: ${int(wf.stats.feeds ?? NaN)} live topics × ${int(wf.connections / Math.max(1, wf.stats.feeds ?? 1))} subscribers (WebSocket)`,
      '',
      `${int(wf.connections)} connections, each subscribed to one of the topics; ${wf.rate} publishes/s spread over the topics for ${wf.seconds} s.`,
      '',
      '| Delivered | p50 ms | p99 ms | max ms | Server CPU | Gateway Redis connections | Redis commands/s (all, publisher included) | Busiest commands (calls/s) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      `| ${int(wf.delivered)} / ${int(wf.expected)} | ${ms(wf.p50Ms)} | ${ms(wf.p99Ms)} | ${ms(wf.maxMs)} | ${Math.round(wf.serverCpuPct)} % | ${wf.redisConns} | ${int(c.total)} | ${c.top} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Writes the section into `out` in place of the previous one (or appended). */
export function writeReport(out: string, results: RunResult[], meta: ReportMeta): void {
  const text = section(results, meta);
  const old = existsSync(out) ? readFileSync(out, 'utf8') : '';
  const start = old.search(/^## Gateway: /m);
  if (start < 0) return writeFileSync(out, (old ? old.replace(/\n*$/, '\n\n') : '') + text);
  const rest = old.slice(start + 3);
  const end = rest.search(/^## /m);
  writeFileSync(out, old.slice(0, start) + text + (end < 0 ? '' : '\n' + rest.slice(end)));
}
