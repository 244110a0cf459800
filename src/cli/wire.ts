/**
 * The server's answers as the CLI reads them (the wire contract in docs/server.md). Only the
 * fields the CLI prints are typed; `--json` passes the server's answer through untouched.
 */

/** `GET /v1/queues/{q}`. */
export interface QueueStats {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  paused: boolean;
  oldestWaitingAgeMs: number | null;
  totals?: { completed: number; failed: number };
  perMinute?: { completed: number; failed: number };
}

/** One job. */
export interface JobView {
  id: string;
  queue: string;
  name: string;
  data: unknown;
  priority: number;
  state?: string;
  meta: Record<string, unknown>;
  createdAt: number;
  attemptsMade: number;
  attemptsStarted?: number;
  processedOn?: number;
  finishedOn?: number;
  stalls?: number;
  history: { at: number; error: string; stack?: string; stalled?: boolean }[];
  failedReason?: string;
  returnValue?: unknown;
  timestamp?: number;
  progress?: unknown;
  logs?: string[];
}

/** `GET /v1/queues/{q}/jobs`. */
export interface JobPage {
  total: number;
  jobs: JobView[];
}

/** One consumer group of a topic. */
export interface GroupView {
  name: string;
  lag: number;
  pending: number;
  deadLetters: number;
  oldestPendingAgeMs: number | null;
  consumers: { name: string; pending: number; idleMs: number }[];
}

/** `GET /v1/topics/{t}`. */
export interface TopicInfo {
  name: string;
  exists: boolean;
  epoch: string | null;
  length: number;
  first: string | null;
  last: string | null;
  entriesAdded: number;
  ttlMs: number | null;
  groups: GroupView[];
}

/** One entry of a topic. */
export interface Entry {
  position: string;
  id?: string;
  time?: number;
  data: unknown;
}

/** `GET /v1/topics/{t}/entries`. */
export interface EntryPage {
  entries: Entry[];
  epoch: string | null;
  truncated: { reason: string; firstAvailable: string | null } | null;
  next: string;
  hasMore: boolean;
}

/** The states a job can be listed in. */
export const JOB_STATES = ['waiting', 'delayed', 'active', 'completed', 'failed'] as const;
export type JobStateName = (typeof JOB_STATES)[number];
