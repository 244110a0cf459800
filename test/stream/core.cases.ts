/**
 * The core stream cases, run on a single Redis (`core.test.ts`) and on a 3-master Cluster
 * (`cluster.test.ts`): one file per concern under `cases/`.
 */
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { extrasCases } from './cases/extras.cases.js';
import { groupsCases } from './cases/groups.cases.js';
import { subscribeCases } from './cases/subscribe.cases.js';
import { topicsCases } from './cases/topics.cases.js';

/** Registers every core case against the Redis `connection()` names. */
export function coreCases(connection: () => ConnectionOptions): void {
  topicsCases(connection);
  subscribeCases(connection);
  groupsCases(connection);
  extrasCases(connection);
}
