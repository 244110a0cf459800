/**
 * Queue and Worker calls while Redis is unreachable: each call waits and retries within its
 * `connectionRetry` budget, then rejects with `SLC_ERR_CONNECTION` (never waits for ever). An
 * `add` that was in flight may still be applied; retrying it with the same id adds one job. A
 * Worker reports the failures, keeps reconnecting and takes jobs once Redis is back. Uses a
 * redis-server of its own (AOF, fsync always), which it kills and restarts, and a closed port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ConnectionError, Queue, Worker, type SluiceError } from '../../src/index.js';
import { freePort, RedisServer } from '../harness/redis-server.js';
import { uniquePrefix, waitFor } from '../harness/context.js';
import { caught } from './helpers.js';
import { CommandConnection } from '../../src/redis/command-connection.js';

const SMALL = { attempts: 3, minDelayMs: 10, maxDelayMs: 20 };
// The budget of SMALL is 30 ms: "comes within the budget" is checked only by these timeouts.
const BOUNDED = { timeout: 15_000 };

describe('queue calls against a closed port', () => {
  it('add and stats reject with SLC_ERR_CONNECTION', BOUNDED, async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const queue = new Queue('closed', { connection: url, connectionRetry: SMALL });
    try {
      const add = await caught(() => queue.add('x', 1));
      expect(add).toBeInstanceOf(ConnectionError);
      expect(add.code).toBe('SLC_ERR_CONNECTION');
      expect((await caught(() => queue.stats())).code).toBe('SLC_ERR_CONNECTION');
      expect((await caught(() => queue.addBulk([{ data: 1 }]))).code).toBe('SLC_ERR_CONNECTION');
    } finally {
      await queue.close();
    }
  });

  it(
    'a worker reports SLC_ERR_CONNECTION, keeps trying, and works once Redis listens',
    BOUNDED,
    async () => {
      const port = await freePort();
      const url = `redis://127.0.0.1:${port}`;
      const prefix = uniquePrefix();
      const seen: string[] = [];
      const worker = new Worker<number>('late', async (job) => void seen.push(job.id), {
        connection: url,
        prefix,
        connectionRetry: SMALL,
      });
      const codes: string[] = [];
      worker.on('error', (err) => codes.push((err as SluiceError).code));
      let server: RedisServer | undefined;
      const queue = new Queue<number>('late', { connection: url, prefix });
      try {
        await waitFor(() => codes.includes('SLC_ERR_CONNECTION'), 'a connection error reported');
        server = await RedisServer.start({ port });
        const { id } = await queue.add('x', 1);
        await waitFor(() => seen.includes(id), 'the job run by the same worker');
      } finally {
        await worker.close(0);
        await queue.close();
        await server?.stop();
      }
    },
  );
});

describe('queue calls across a Redis outage', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start({ persistence: 'aof-always' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it(
    'add rejects with SLC_ERR_CONNECTION while Redis is down, and works after',
    BOUNDED,
    async () => {
      const queue = new Queue('down', {
        connection: server.url,
        prefix: uniquePrefix(),
        connectionRetry: SMALL,
      });
      try {
        await queue.add('before', 1);
        await server.kill9();
        const err = await caught(() => queue.add('during', 2));
        expect(err).toBeInstanceOf(ConnectionError);
        expect(err.code).toBe('SLC_ERR_CONNECTION');
        expect((await caught(() => queue.stats())).code).toBe('SLC_ERR_CONNECTION');
        await server.restart();
        await waitFor(() => queue.add('after', 3).catch(() => undefined), 'add after the restart');
        // Nothing of the failed call was applied: it was never sent.
        expect((await queue.stats()).waiting).toBe(2);
      } finally {
        await queue.close();
      }
    },
  );

  it(
    'an add in flight when Redis went away rejects within the budget; retrying with its id adds one job',
    BOUNDED,
    async () => {
      const prefix = uniquePrefix();
      const queue = new Queue('in-flight', {
        connection: server.url,
        prefix,
        connectionRetry: { attempts: 4, minDelayMs: 20, maxDelayMs: 50 },
      });
      const admin = new Redis(server.url);
      admin.on('error', () => {});
      try {
        await queue.add('warm', 0, { id: 'warm' }); // connected and calibrated
        await admin.call('CLIENT', 'PAUSE', 10_000, 'ALL'); // the next add is sent, not run
        const pending = queue.add('note', 7, { id: 'note-7-v3' });
        await new Promise((r) => setTimeout(r, 100));
        await server.kill9();
        const err = await caught(() => pending);
        expect(err.code).toBe('SLC_ERR_CONNECTION');
        await server.restart();
        // The client may re-send the unanswered add when it reconnects; the retry with the same
        // id cannot add a second job, whichever comes first.
        await waitFor(
          () => queue.add('note', 7, { id: 'note-7-v3' }).catch(() => undefined),
          'retried add',
        );
        await new Promise((r) => setTimeout(r, 200));
        const stats = await queue.stats();
        expect(stats.waiting).toBe(2);
        expect((await queue.getJobs('waiting')).jobs.map((j) => j.id).sort()).toEqual([
          'note-7-v3',
          'warm',
        ]);
      } finally {
        admin.disconnect();
        await queue.close();
      }
    },
  );

  it(
    "a worker's connection does not re-send a call it gave up on (a fetch would lease jobs to no one)",
    BOUNDED,
    async () => {
      const key = `${uniquePrefix()}:given-up`;
      const conn = new CommandConnection(server.url, undefined, SMALL, 'worker t', () => {}, true);
      const admin = new Redis(server.url);
      admin.on('error', () => {});
      try {
        await conn.run((c) => c.ping()); // connected
        await admin.call('CLIENT', 'PAUSE', 10_000, 'ALL'); // the next command is sent, not run
        const pending = conn.run((c) => c.set(key, '1'));
        await new Promise((r) => setTimeout(r, 100));
        await server.kill9();
        expect((await caught(() => pending)).code).toBe('SLC_ERR_CONNECTION');
        await server.restart();
        await waitFor(() => conn.run((c) => c.ping()).catch(() => undefined), 'reconnected');
        // Old code: ioredis re-sent the SET once the link was back.
        expect(await conn.run((c) => c.get(key))).toBeNull();
      } finally {
        admin.disconnect();
        await conn.close();
      }
    },
  );

  it(
    'a running worker survives the outage (no listener, no crash) and takes jobs after it',
    BOUNDED,
    async () => {
      const prefix = uniquePrefix();
      const seen: string[] = [];
      const opts = { connection: server.url, prefix, connectionRetry: SMALL };
      const worker = new Worker('survivor', async (job) => void seen.push(job.id), opts);
      const queue = new Queue('survivor', opts);
      try {
        // The small budget can run out while a loaded machine is still opening the connection.
        const first = (await waitFor(() => queue.add('x', 1).catch(() => undefined), 'add'))!;
        await waitFor(() => seen.includes(first.id), 'first job');
        await server.kill9();
        await new Promise((r) => setTimeout(r, 300)); // its loops fail and retry meanwhile
        await server.restart();
        const second = (await waitFor(
          () => queue.add('x', 2).catch(() => undefined),
          'add after',
        ))!;
        await waitFor(() => seen.includes(second.id), 'second job run by the same worker');
      } finally {
        await worker.close(0);
        await queue.close();
      }
    },
  );
});
