/**
 * The server's answers as the CLI reads them: the wire contract's types, derived from the
 * server's route schemas (src/server/wire.ts), so the CLI cannot drift from what it is sent.
 * `--json` passes the server's answer through untouched.
 */
export type {
  EntryPageWire as EntryPage,
  JobPageWire as JobPage,
  JobWire as JobView,
  QueueStatsWire as QueueStats,
  TopicInfoWire as TopicInfo,
} from '../server/wire.js';

/** The states a job can be listed in. */
export const JOB_STATES = ['waiting', 'delayed', 'active', 'completed', 'failed'] as const;
export type JobStateName = (typeof JOB_STATES)[number];
