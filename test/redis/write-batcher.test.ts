/**
 * The producer's write batching: the commands of one turn go out in socket writes of at most
 * FLUSH_EVERY commands each (so Redis starts on the first ones early), the rest at the turn's end;
 * every reply still arrives, in order.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { FLUSH_EVERY, WriteBatcher } from '../../src/redis/write-batcher.js';
import { RedisServer } from '../harness/redis-server.js';

let server: RedisServer;
let client: Redis;

beforeAll(async () => {
  server = await RedisServer.start();
  client = new Redis(server.url);
  await client.ping();
});
afterAll(async () => {
  client?.disconnect();
  await server?.stop();
});

/** Counts the commands in each write the socket makes while `run` runs. */
async function writesDuring(run: () => Promise<unknown>): Promise<number[]> {
  const stream = client.stream as unknown as {
    _writev(chunks: unknown[], cb: unknown): void;
    _write(chunk: unknown, enc: unknown, cb: unknown): void;
  };
  const writev = stream._writev;
  const write = stream._write;
  const sizes: number[] = [];
  stream._writev = function (chunks, cb) {
    sizes.push(chunks.length);
    return writev.call(this, chunks, cb);
  };
  stream._write = function (chunk, enc, cb) {
    sizes.push(1);
    return write.call(this, chunk, enc, cb);
  };
  try {
    await run();
  } finally {
    stream._writev = writev;
    stream._write = write;
  }
  return sizes;
}

it(`sends one turn's 100 commands in writes of ${FLUSH_EVERY}, the rest at the turn's end`, async () => {
  const batcher = WriteBatcher.of(client);
  let replies: (string | null)[] = [];
  const sizes = await writesDuring(async () => {
    const sent: Promise<string | null>[] = [];
    for (let i = 0; i < 100; i++) {
      batcher.batch();
      sent.push(client.echo(`m${i}`));
    }
    replies = await Promise.all(sent);
  });
  const full = Math.floor(100 / FLUSH_EVERY);
  expect(sizes).toEqual([...Array<number>(full).fill(FLUSH_EVERY), 100 - full * FLUSH_EVERY]);
  expect(replies).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
});

it('sends a command of the next turn in a write of its own', async () => {
  const batcher = WriteBatcher.of(client);
  const sizes = await writesDuring(async () => {
    batcher.batch();
    const a = client.echo('a');
    await a;
    batcher.batch();
    expect(await client.echo('b')).toBe('b');
  });
  expect(sizes).toEqual([1, 1]);
});

it('handles sharing one connection share its batcher: flushes still go every 32', async () => {
  // two Queues of a `Queues` registry, or the partitions of one queue, on one client
  const a = WriteBatcher.of(client);
  const b = WriteBatcher.of(client);
  expect(b).toBe(a);
  const sizes = await writesDuring(async () => {
    const sent: Promise<string | null>[] = [];
    for (let i = 0; i < 100; i++) {
      (i % 2 ? b : a).batch();
      sent.push(client.echo(`m${i}`));
    }
    await Promise.all(sent);
  });
  // (two batchers would each cork the socket: its cork is a counter, so neither's mid-turn
  // uncork would write, and the turn would go out as one write of 100)
  const full = Math.floor(100 / FLUSH_EVERY);
  expect(sizes).toEqual([...Array<number>(full).fill(FLUSH_EVERY), 100 - full * FLUSH_EVERY]);
});
