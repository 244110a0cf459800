/** Batch handlers and the per-entity index on a real 3-master Redis Cluster (one fixture). */
import { onRedisCluster } from '../harness/cluster.js';
import { batchCases } from './batch.cases.js';
import { entityIndexCases } from './entity-index.cases.js';

onRedisCluster((connection) => {
  batchCases(connection);
  entityIndexCases(connection);
});
