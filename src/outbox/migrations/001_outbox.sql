-- The transactional outbox. Runs with search_path set to the target schema (default `sluice`).
-- One row per job (kind 'job', target = queue) or stream entry (kind 'entry', target = topic),
-- written in the caller's transaction, moved to Redis by the relay, then deleted.

-- A random token per schema, part of every derived job id / idempotency key, so that a schema
-- that is dropped and recreated (ids start again at 1) never collides with jobs still in Redis.
CREATE TABLE outbox_instance (
  token text NOT NULL DEFAULT substr(md5(random()::text || clock_timestamp()::text), 1, 10)
);
INSERT INTO outbox_instance DEFAULT VALUES;

CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('job', 'entry')),
  target text NOT NULL,
  name text NOT NULL DEFAULT '',
  data json NOT NULL,
  opts json NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
-- The relay reads one stream's rows in id order.
CREATE INDEX outbox_stream ON outbox (kind, target, id);

-- Rows the library refused (bad options, payload too large): kept for an operator, never retried.
CREATE TABLE outbox_dead (
  id bigint PRIMARY KEY,
  kind text NOT NULL,
  target text NOT NULL,
  name text NOT NULL,
  data json NOT NULL,
  opts json NOT NULL,
  created_at timestamptz NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now(),
  error text NOT NULL
);

-- Wakes the relays when a transaction that wrote rows commits (NOTIFY is sent at commit; several
-- inserts of one transaction collapse into one notification). Channel: '<schema>.outbox'.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_TABLE_SCHEMA || '.outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
