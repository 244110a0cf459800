/** The core stream cases on a real 3-master Redis Cluster (see `core.cases.ts`). */
import { afterAll, beforeAll, describe } from 'vitest';
import { RedisClusterFixture } from '../harness/cluster.js';
import { coreCases } from './core.cases.js';

describe('on Redis Cluster', () => {
  let fixture: RedisClusterFixture;
  beforeAll(async () => {
    fixture = await RedisClusterFixture.start();
  });
  afterAll(async () => {
    await fixture?.stop();
  });
  coreCases(() => ({ cluster: fixture.startupNodes }));
});
