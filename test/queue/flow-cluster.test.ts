/** Flows on a real 3-master Redis Cluster: parent and children in different slots. */
import { onRedisCluster } from '../harness/cluster.js';
import { flowCases } from './flow.cases.js';

onRedisCluster(flowCases);
