/** Starts the one shared redis-server that most suites use (each test takes a unique prefix). */
import type { TestProject } from 'vitest/node';
import { RedisServer } from './redis-server.js';

let server: RedisServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await RedisServer.start({ persistence: 'none' });
  project.provide('redisUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
