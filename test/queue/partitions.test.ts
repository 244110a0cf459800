/** Partitioned queues on the shared single server (see `partitions.cases.ts`). */
import { redisUrl } from '../harness/context.js';
import { partitionCases } from './partitions.cases.js';

partitionCases(redisUrl);
