/** Pieces the scenarios share: preloading jobs, measuring a run's CPU, common metric columns. */
import type { Contender } from '../contenders/types.js';
import { Agent, withTimeout } from '../lib/agents.js';
import { makeJob } from '../lib/payload.js';
import { procCpuMs } from '../lib/proc.js';
import type { AgentResult } from '../lib/protocol.js';
import type { MetricDef, RunContext } from './types.js';

export const QUEUE = 'bench';
export const BULK_CHUNK = 1000;

/** What a preload left in Redis: every key's DUMP and TTL, by contender and job count. */
const snapshots = new Map<string, { key: string; ttl: number; dump: Buffer }[]>();

/**
 * Puts `n` waiting payload jobs in the (empty) server, not measured. The first time for a
 * contender and `n`, the contender's own bulk add does it and the result is snapshotted (DUMP of
 * every key); later runs RESTORE that snapshot: the same data, several times faster (it keeps the
 * default run under 10 minutes).
 */
export async function preload(ctx: RunContext, c: Contender, n: number): Promise<void> {
  const id = `${c.name}:${n}`;
  const snap = snapshots.get(id);
  if (snap) return restoreSnapshot(ctx, snap);
  const p = await c.createProducer({ url: ctx.url, queue: QUEUE });
  try {
    for (let i = 0; i < n; i += BULK_CHUNK) {
      const chunk = [];
      for (let j = i; j < Math.min(n, i + BULK_CHUNK); j++) chunk.push(makeJob(j));
      await p.addBulk(chunk);
    }
  } finally {
    await p.close();
  }
  snapshots.set(id, await takeSnapshot(ctx));
}

async function takeSnapshot(
  ctx: RunContext,
): Promise<{ key: string; ttl: number; dump: Buffer }[]> {
  const redis = ctx.admin.client;
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  const out: { key: string; ttl: number; dump: Buffer }[] = [];
  for (let i = 0; i < keys.length; i += 1000) {
    const p = redis.pipeline();
    const batch = keys.slice(i, i + 1000);
    for (const k of batch) p.pttl(k).dumpBuffer(k);
    const replies = (await p.exec()) ?? [];
    batch.forEach((key, j) => {
      const ttl = Number(replies[2 * j]?.[1]);
      const dump = replies[2 * j + 1]?.[1];
      if (Buffer.isBuffer(dump)) out.push({ key, ttl: ttl > 0 ? ttl : 0, dump });
    });
  }
  return out;
}

async function restoreSnapshot(
  ctx: RunContext,
  snap: { key: string; ttl: number; dump: Buffer }[],
): Promise<void> {
  for (let i = 0; i < snap.length; i += 1000) {
    const p = ctx.admin.client.pipeline();
    for (const s of snap.slice(i, i + 1000)) p.restore(s.key, s.ttl, s.dump);
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
  }
}

export interface Measured {
  /** Results of the agents, in the order given. */
  results: AgentResult[];
  /** Wall time of the first agent (the one that decides when the run is over), ms. */
  elapsedMs: number;
  /** CPU of all agents, ms. */
  nodeCpuMs: number;
  /** CPU of redis-server (all threads) over the run, ms, from /proc. */
  redisCpuMs: number;
}

/**
 * Runs agents: waits until all are ready, starts them in order (the first one is the one whose
 * end ends the run: the consumer, or the only producer), and measures redis-server's CPU from
 * the first `go` to the first agent's result.
 */
export async function runAgents(
  ctx: RunContext,
  agents: Agent[],
  timeoutMs = ctx.sizes.runTimeoutMs,
): Promise<Measured> {
  try {
    await withTimeout(Promise.all(agents.map((a) => a.ready)), 60_000, 'agents starting');
    const redis0 = procCpuMs(ctx.redisPid);
    for (const a of agents) a.go();
    const first = await withTimeout(agents[0]!.result, timeoutMs, `run ${ctx.runName}`);
    const redis1 = procCpuMs(ctx.redisPid);
    const rest = await withTimeout(
      Promise.all(agents.slice(1).map((a) => a.result)),
      timeoutMs,
      `run ${ctx.runName} (other agents)`,
    );
    await Promise.all(agents.map((a) => a.stop()));
    const results = [first, ...rest];
    return {
      results,
      elapsedMs: first.elapsedMs,
      nodeCpuMs: results.reduce((s, r) => s + r.cpuMs, 0),
      redisCpuMs: redis1 - redis0,
    };
  } catch (err) {
    await Promise.all(agents.map((a) => a.kill()));
    throw err;
  }
}

/** The CPU columns every table shows. */
export const CPU_METRICS: MetricDef[] = [
  { key: 'nodeCpuPct', label: 'Node CPU %', digits: 0, better: 'lower' },
  { key: 'redisCpuPct', label: 'Redis CPU %', digits: 0, better: 'lower' },
  { key: 'cpuUsPerJob', label: 'CPU µs/job (Node+Redis)', digits: 1, better: 'lower' },
];

export function cpuMetrics(m: Measured, jobs: number): Record<string, number> {
  return {
    nodeCpuPct: (m.nodeCpuMs / m.elapsedMs) * 100,
    redisCpuPct: (m.redisCpuMs / m.elapsedMs) * 100,
    cpuUsPerJob: ((m.nodeCpuMs + m.redisCpuMs) * 1000) / jobs,
  };
}
