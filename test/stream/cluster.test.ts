/** The core stream cases on a real 3-master Redis Cluster (see `core.cases.ts`). */
import { onRedisCluster } from '../harness/cluster.js';
import { coreCases } from './core.cases.js';

onRedisCluster(coreCases);
