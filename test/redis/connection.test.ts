/**
 * The ways to give a connection: an ioredis instance (`new Redis(url)`, `new Cluster(nodes)`),
 * `{ client }`, or a URL string as the whole options argument. Connections Sluice derives from
 * a client carry the options it needs (`maxRetriesPerRequest: null`, no auto-pipelining), and the
 * caller's client is left as it was, open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { Queue, Streams, Worker } from '../../src/index.js';
import type { RedisClient } from '../../src/redis/connection.js';
import { DEFAULT_PREFIX, queueKeys, topicKeys } from '../../src/redis/keys.js';
import { RedisClusterFixture } from '../harness/cluster.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';
import { RedisServer } from '../harness/redis-server.js';

/** The connections a Queue, a Worker and a Streams hub opened (internals, read for the test). */
const queueConn = (q: Queue<number>): RedisClient => q['conn'].client;
const workerConns = (w: Worker<number>): RedisClient[] => [w['conn'].client, w['blockingClient']];
const streamsConn = (s: Streams): RedisClient => s['hub'].conn.client;

function expectSluiceOptions(client: RedisClient): void {
  const o = client instanceof Cluster ? client.options.redisOptions! : client.options;
  expect(o.maxRetriesPerRequest).toBeNull();
  expect(o.enableAutoPipelining).toBe(false);
}

/** Adds a job and waits until a worker on the same connection options ran it. */
async function roundTrip(connection: Redis | Cluster | { client: Redis | Cluster }) {
  const prefix = uniquePrefix();
  const ran: number[] = [];
  const queue = new Queue<number>('conn', { connection, prefix });
  const worker = new Worker<number>('conn', async (job) => void ran.push(job.data), {
    connection,
    prefix,
  });
  try {
    await queue.add('x', 42);
    await waitFor(() => ran.includes(42), 'the job run');
    expectSluiceOptions(queueConn(queue));
    for (const c of workerConns(worker)) expectSluiceOptions(c);
  } finally {
    await worker.close(0);
    await queue.close();
  }
}

describe('a client you own', () => {
  it('{ client }: derived connections get maxRetriesPerRequest null; yours is untouched', async () => {
    const mine = new Redis(redisUrl());
    try {
      expect(mine.options.maxRetriesPerRequest).toBe(20); // ioredis's default
      const streams = new Streams({ connection: { client: mine }, prefix: uniquePrefix() });
      expectSluiceOptions(streamsConn(streams));
      await streams.close();
      await roundTrip({ client: mine });
      expect(mine.options.maxRetriesPerRequest).toBe(20);
      expect(await mine.ping()).toBe('PONG'); // not closed by Sluice
    } finally {
      mine.disconnect();
    }
  });

  it('an ioredis instance as `connection` (connection: new Redis(url))', async () => {
    const mine = new Redis(redisUrl());
    try {
      await roundTrip(mine);
      const streams = new Streams({ connection: mine, prefix: uniquePrefix() });
      const topic = streams.topic<number>('t');
      await topic.publish(1);
      expect((await topic.range()).entries.map((e) => e.data)).toEqual([1]);
      expectSluiceOptions(streamsConn(streams));
      await streams.close();
      expect(await mine.ping()).toBe('PONG');
    } finally {
      mine.disconnect();
    }
  });
});

describe('a Cluster instance as `connection`', () => {
  let fixture: RedisClusterFixture;
  beforeAll(async () => {
    fixture = await RedisClusterFixture.start();
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it('runs a job; derived connections are Clusters with the options Sluice needs', async () => {
    const mine = new Cluster(fixture.startupNodes);
    try {
      await roundTrip(mine);
      await roundTrip({ client: mine });
      expect(mine.options.redisOptions?.maxRetriesPerRequest).toBeUndefined();
    } finally {
      mine.disconnect();
    }
  });
});

describe('a URL string as the whole options argument', () => {
  // A server of its own: the default prefix is used, and the URL must be the one connected to.
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('Queue, Worker (third argument) and Streams connect to it', async () => {
    const queue = new Queue<number>('by-url', server.url);
    const ran: number[] = [];
    const worker = new Worker<number>('by-url', async (job) => void ran.push(job.data), server.url);
    const streams = new Streams(server.url);
    try {
      for (const c of [queueConn(queue), ...workerConns(worker), streamsConn(streams)])
        expect((c as Redis).options.port).toBe(server.port);
      await queue.add('x', 7);
      await waitFor(() => ran.includes(7), 'the job run');
      await streams.topic('t').publish('hello');
      const raw = new Redis(server.url);
      const keys = [
        topicKeys(DEFAULT_PREFIX, 't').stream,
        queueKeys(DEFAULT_PREFIX, 'by-url').meta,
      ];
      expect(await raw.exists(...keys)).toBe(2);
      raw.disconnect();
    } finally {
      await worker.close(0);
      await queue.close();
      await streams.close();
    }
  });
});
