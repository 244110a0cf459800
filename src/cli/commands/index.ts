/** Every command, by `noun verb` (`top` has no verb). */
import type { Command } from '../command.js';
import dbMigrate from './db-migrate.js';
import queueCancel from './queue-cancel.js';
import queueClear from './queue-clear.js';
import queueJob from './queue-job.js';
import queueJobs from './queue-jobs.js';
import queueLs from './queue-ls.js';
import queuePause from './queue-pause.js';
import queuePromote from './queue-promote.js';
import queueRemove from './queue-remove.js';
import queueResume from './queue-resume.js';
import queueRetryFailed from './queue-retry-failed.js';
import queueSchedules from './queue-schedules.js';
import queueStats from './queue-stats.js';
import server from './server.js';
import tokenCheck from './token-check.js';
import tokenMint from './token-mint.js';
import topicInfo from './topic-info.js';
import topicLs from './topic-ls.js';
import topicPublish from './topic-publish.js';
import topicRange from './topic-range.js';
import topicTail from './topic-tail.js';
import top from './top.js';

// Each command's options type differs; the table only needs parse → run to agree per entry.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: Command<any>[] = [
  queueLs,
  queueStats,
  queueJobs,
  queueJob,
  queuePause,
  queueResume,
  queueClear,
  queueRetryFailed,
  queuePromote,
  queueCancel,
  queueRemove,
  queueSchedules,
  topicLs,
  topicInfo,
  topicTail,
  topicRange,
  topicPublish,
  tokenMint,
  tokenCheck,
  top,
  server,
  dbMigrate,
];
