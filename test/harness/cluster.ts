/**
 * Runs suites on a real Redis Cluster: the fixture lives in `cluster-fixture.ts` (no test
 * runner imports, so bench scripts can start one too).
 */
import { afterAll, beforeAll, describe } from 'vitest';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { RedisClusterFixture } from './cluster-fixture.js';

export { RedisClusterFixture, keysPerMaster } from './cluster-fixture.js';

/**
 * Runs a suite of cases (written against a connection getter) on a fresh 3-master Cluster,
 * started before and stopped after the suite.
 */
export function onRedisCluster(cases: (connection: () => ConnectionOptions) => void): void {
  describe('on Redis Cluster', () => {
    let fixture: RedisClusterFixture;
    beforeAll(async () => {
      fixture = await RedisClusterFixture.start();
    });
    afterAll(async () => {
      await fixture?.stop();
    });
    cases(() => ({ cluster: fixture.startupNodes }));
  });
}
