/**
 * Real redis-server processes for tests. The process manager lives in `src/dev/redis-process.ts`
 * (`npm start` uses it too); this path keeps the harness API every suite imports.
 */
export {
  RedisServer,
  freePort,
  redisServerBinary,
  type Persistence,
  type RedisServerOptions,
} from '../../src/dev/redis-process.js';
