/** What the harness (parent) and its agents (child processes, `bench/agent.ts`) say to each other. */
import type { ContenderName } from '../contenders/types.js';

interface TaskBase {
  contender: ContenderName;
  url: string;
  queue: string;
}

export type AgentTask =
  /** Enqueue `n` jobs in chunks of `chunk`, one chunk at a time. */
  | (TaskBase & { kind: 'enqueue-bulk'; n: number; chunk: number })
  /**
   * Enqueue `n` jobs one by one, `inFlight` adds outstanding at any time, after `warmup` adds
   * the same way before `go` (not measured).
   */
  | (TaskBase & { kind: 'enqueue-single'; n: number; warmup: number; inFlight: number })
  /**
   * Consume until `n` jobs are completed. With `timed`, each handler start records
   * `now - job.t - job.d` (ms, monotonic clock shared by all processes of this machine).
   */
  | (TaskBase & {
      kind: 'consume';
      n: number;
      concurrency: number;
      keep: boolean;
      delayed: boolean;
      timed: boolean;
      /** Timed consumers record no sample for jobs numbered below this (warm-up). */
      warmup: number;
    })
  /** Add `n` jobs one by one at a steady `rate` per second, each stamped with its send time. */
  | (TaskBase & { kind: 'produce-paced'; n: number; rate: number })
  /** Add `n` delayed jobs one at a time (each stamped), delays uniform in [0, maxDelayMs]. */
  | (TaskBase & { kind: 'produce-delayed'; n: number; maxDelayMs: number });

export interface AgentResult {
  /** Wall time from `go` to the end of the task, ms. */
  elapsedMs: number;
  /** CPU (user + system) the agent used from `go` to the end, ms (`process.cpuUsage`). */
  cpuMs: number;
  /** Timed consumers: one sample per job, ms. */
  samples?: number[];
}

export type AgentMessage =
  { type: 'ready' } | { type: 'result'; result: AgentResult } | { type: 'error'; message: string };

export type ParentMessage = { type: 'go' };
