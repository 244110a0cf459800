/**
 * The wire contract as TypeScript types, derived from the route schemas (the same ones that
 * validate requests and generate /openapi.json), so the dashboard and the CLI read the shapes
 * the server sends and cannot drift from them. Types only: importing this costs no code.
 */
import type { Static } from '@sinclair/typebox';
import type { getHistory, getSession, searchJobs } from './schemas/dashboard.js';
import type { JobBody, JobState, QueueStatsBody, listJobs } from './schemas/queues.js';
import type { EntryBody, TopicInfoBody, listEntries } from './schemas/topics.js';

/** `GET /v1/queues/{q}` (and each item of `GET /v1/queues`). */
export type QueueStatsWire = Static<typeof QueueStatsBody>;
/** One queue's counts in a `GET /v1/live/queues` tick (no per-minute arrays). */
export type QueueCountsWire = Omit<QueueStatsWire, 'history'>;
/** One `event: stats` of `GET /v1/live/queues`. */
export interface LiveSnapshotWire {
  /** Server time of the read (ms). */
  t: number;
  queues: QueueCountsWire[];
}
/** `GET /v1/queues/{q}/jobs/{id}`. */
export type JobWire = Static<typeof JobBody>;
/** A state jobs are listed in. */
export type JobStateWire = Static<typeof JobState>;
/** One failed or stalled attempt of a job. */
export type AttemptWire = JobWire['history'][number];
/** `GET /v1/queues/{q}/jobs`. */
export type JobPageWire = Static<(typeof listJobs)['response'][200]>;
/** `GET /v1/queues/{q}/history`. */
export type HistoryWire = Static<(typeof getHistory)['response'][200]>;
/** `GET /v1/queues/{q}/search`. */
export type SearchPageWire = Static<(typeof searchJobs)['response'][200]>;
/** `GET /v1/session`. */
export type SessionWire = Static<(typeof getSession)['response'][200]>;
/** `GET /v1/topics/{t}`. */
export type TopicInfoWire = Static<typeof TopicInfoBody>;
/** One consumer group in a {@link TopicInfoWire}. */
export type GroupInfoWire = TopicInfoWire['groups'][number];
/** One entry of a topic. */
export type EntryWire = Static<typeof EntryBody>;
/** `GET /v1/topics/{t}/entries`. */
export type EntryPageWire = Static<(typeof listEntries)['response'][200]>;
