/** The lifecycle cases on a real 3-master Redis Cluster (see `lifecycle.cases.ts`). */
import { onRedisCluster } from '../harness/cluster.js';
import { lifecycleCases } from './lifecycle.cases.js';

onRedisCluster(lifecycleCases);
