/** The wire shapes of the server routes the dashboard calls (see docs/server.md, /openapi.json). */

export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';
export const JOB_STATES: JobState[] = ['waiting', 'active', 'delayed', 'failed', 'completed'];

export interface QueueCounts {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  paused: boolean;
  oldestWaitingAgeMs: number | null;
  totals: { completed: number; failed: number };
  perMinute: { completed: number; failed: number };
}

export interface LiveSnapshot {
  t: number;
  queues: QueueCounts[];
}

export interface Attempt {
  at: number;
  error: string;
  stack?: string;
  stalled?: boolean;
  startedAt?: number;
}

export interface JobWire {
  id: string;
  queue: string;
  name: string;
  data: unknown;
  priority: number;
  state?: JobState;
  meta: Record<string, unknown>;
  options: Record<string, unknown>;
  createdAt: number;
  attemptsMade: number;
  attemptsStarted?: number;
  processedOn?: number;
  finishedOn?: number;
  stalls: number;
  totalStalls: number;
  history: Attempt[];
  failedReason?: string;
  returnValue?: unknown;
  timestamp?: number;
  progress?: unknown;
  logs?: string[];
}

export interface JobPage {
  total: number;
  jobs: JobWire[];
}

export interface History {
  range: '1h' | '7d';
  stepMs: number;
  startMs: number;
  now: number;
  completed: number[];
  failed: number[];
}

export interface SearchPage {
  jobs: JobWire[];
  cursor: string;
  scanned: number;
}

export interface GroupInfo {
  name: string;
  lastSeenMs: number;
  lag: number;
  pending: number;
  oldestPendingAgeMs: number | null;
  deadLetters: number;
  consumers: { name: string; pending: number; idleMs: number }[];
}

export interface TopicInfo {
  name: string;
  exists: boolean;
  epoch: string | null;
  length: number;
  first: string | null;
  last: string | null;
  entriesAdded: number;
  ttlMs: number | null;
  groups: GroupInfo[];
}

export interface TopicEntry {
  position: string;
  data: unknown;
}

export interface Session {
  role: 'admin' | 'viewer';
  subject?: string;
  authEnabled: boolean;
}
