/** Sluice as built in this tree (the adapter: `sluice-adapter.ts`). */
import * as lib from '../../src/index.js';
import { sluiceContender } from './sluice-adapter.js';
import type { Contender } from './types.js';

export const sluice: Contender = sluiceContender('sluice', 'Sluice', lib);
