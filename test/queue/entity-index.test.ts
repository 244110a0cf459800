/** The per-entity index on the shared single server (see `entity-index.cases.ts`). */
import { redisUrl } from '../harness/context.js';
import { entityIndexCases } from './entity-index.cases.js';

entityIndexCases(redisUrl);
