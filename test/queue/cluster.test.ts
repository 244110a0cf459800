/** The lifecycle cases on a real 3-master Redis Cluster (see `lifecycle.cases.ts`). */
import { afterAll, beforeAll, describe } from 'vitest';
import { RedisClusterFixture } from '../harness/cluster.js';
import { lifecycleCases } from './lifecycle.cases.js';

describe('on Redis Cluster', () => {
  let fixture: RedisClusterFixture;
  beforeAll(async () => {
    fixture = await RedisClusterFixture.start();
  });
  afterAll(async () => {
    await fixture?.stop();
  });
  lifecycleCases(() => ({ cluster: fixture.startupNodes }));
});
