/** Every query key, in one place: pages read by key, actions invalidate by key prefix. */
import type { JobState } from '../api/types.js';

export const keys = {
  session: () => 'session',
  queues: () => 'queues',
  queue: (q: string) => `queue/${q}`,
  jobs: (q: string, state: JobState, offset: number) => `queue/${q}/jobs/${state}/${offset}`,
  job: (q: string, id: string) => `queue/${q}/job/${id}`,
  history: (q: string, range: '1h' | '7d') => `queue/${q}/history/${range}`,
  topics: () => 'topics',
  topic: (t: string) => `topic/${t}`,
};

/** The prefix that covers everything about one queue (invalidated after any action on it). */
export const queueScope = (q: string) => `queue/${q}`;
