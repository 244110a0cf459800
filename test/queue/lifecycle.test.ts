/** The lifecycle cases on the shared single Redis server (see `lifecycle.cases.ts`). */
import { redisUrl } from '../harness/context.js';
import { lifecycleCases } from './lifecycle.cases.js';

lifecycleCases(redisUrl);
