/** The core stream cases on the shared single Redis (see `core.cases.ts`). */
import { redisUrl } from '../harness/context.js';
import { coreCases } from './core.cases.js';

coreCases(() => redisUrl());
