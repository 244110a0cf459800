/**
 * The wire shapes of the server routes the dashboard calls: derived from the server's route
 * schemas (src/server/wire.ts), so a change of the contract is a type error here. Types only.
 */
import type { JobStateWire } from '../../../src/server/wire.js';

export type {
  AttemptWire as Attempt,
  GroupInfoWire as GroupInfo,
  HistoryWire as History,
  JobPageWire as JobPage,
  JobWire,
  LiveSnapshotWire as LiveSnapshot,
  QueueCountsWire as QueueCounts,
  SearchPageWire as SearchPage,
  SessionWire as Session,
  TopicInfoWire as TopicInfo,
} from '../../../src/server/wire.js';

export type JobState = JobStateWire;
export const JOB_STATES: JobState[] = ['waiting', 'active', 'delayed', 'failed', 'completed'];

/** One entry as the live tail shows it: an SSE `event: entry` carries its position and data. */
export interface TopicEntry {
  position: string;
  data: unknown;
}
