-- The long-term archive of finished jobs (completed and failed), copied from Redis by the
-- archiver before retention removes them. One row per (queue, job id); a failed job retried by
-- hand and completed later is updated in place.
CREATE TABLE job_archive (
  queue text NOT NULL,
  id text NOT NULL,
  state text NOT NULL CHECK (state IN ('completed', 'failed')),
  name text NOT NULL,
  data json,
  result json,
  meta jsonb NOT NULL DEFAULT '{}',
  -- meta.entityId (e.g. an account / phone number), lifted out to be indexed
  entity_id text,
  attempts integer NOT NULL,
  last_error text,
  history json NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (queue, id)
);
-- One account's messages, newest first.
CREATE INDEX job_archive_entity ON job_archive (queue, entity_id, finished_at DESC);
-- The archiver's watermark per (queue, state), and pruning by age.
CREATE INDEX job_archive_finished ON job_archive (queue, state, finished_at DESC);
