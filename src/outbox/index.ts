/**
 * `sluice/outbox`: a transactional outbox from PostgreSQL into Sluice queues and topics, and a
 * long-term archive of finished jobs. A face above the library: it uses only the public API.
 */
export { Outbox } from './outbox.js';
export type { OutboxOptions, OutboxRow } from './outbox.js';
export { Relay } from './relay.js';
export type { RelayOptions, RelayEvents, OutboxLag } from './relay.js';
export type { DeliveredBatch, RelayQueue, RelayTopic } from './deliver.js';
export { Archiver } from './archiver.js';
export type { ArchiverOptions } from './archiver.js';
export { Archive } from './archive.js';
export type { ArchivedJob, ArchiveQuery, ArchivePage } from './archive.js';
export { migrate, migrations } from './migrate.js';
export type { MigrateResult } from './migrate.js';
export { DEFAULT_SCHEMA } from './sql.js';
export type { SqlClient, SqlPool } from './sql.js';
