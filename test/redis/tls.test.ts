/**
 * TLS: a redis-server with a TLS listener and a certificate from a CA the test made. Sluice
 * connects with `rediss://` and the CA (ioredis `tls` options, as a client or as options), runs a
 * job and a stream entry through, and refuses a server it cannot verify with a typed error.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue, START, Streams, Worker, type SluiceError } from '../../src/index.js';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { uniquePrefix, waitFor } from '../harness/context.js';
import { freePort, RedisServer } from '../harness/redis-server.js';
import { makeCertificates, tlsConfig, type TestCertificates } from '../harness/tls.js';

let certs: TestCertificates;
let server: RedisServer;
let tlsPort: number;
const owned: Redis[] = [];
beforeAll(async () => {
  certs = makeCertificates();
  tlsPort = await freePort();
  server = await RedisServer.start({ config: tlsConfig(certs, tlsPort) });
});
afterAll(async () => {
  owned.forEach((c) => c.disconnect());
  await server?.stop();
  certs?.remove();
});

async function jobAndEntry(connection: ConnectionOptions): Promise<void> {
  const prefix = uniquePrefix();
  const queue = new Queue<{ n: number }>('tls', { connection, prefix });
  const done: number[] = [];
  const worker = new Worker<{ n: number }>(
    'tls',
    (job) => {
      done.push(job.data.n);
    },
    { connection, prefix },
  );
  const streams = new Streams({ connection, prefix });
  try {
    await queue.add('t', { n: 7 });
    await waitFor(() => done.length === 1, 'the job over TLS');
    expect(done).toEqual([7]);
    // the handler has returned; its ack is recorded a moment later
    await waitFor(async () => (await queue.stats()).completed === 1, 'the completion recorded');
    const topic = streams.topic<string>('events');
    const sub = topic.subscribe({ after: START });
    await sub.ready();
    const { position } = await topic.publish('over tls');
    const next = await sub.next();
    expect(next.value).toMatchObject({ type: 'entry', entry: { position, data: 'over tls' } });
    sub.close();
  } finally {
    await worker.close();
    await queue.close();
    await streams.close();
  }
}

it('a rediss:// client with the test CA: a job and a stream entry go through', async () => {
  const client = new Redis(`rediss://127.0.0.1:${tlsPort}`, {
    tls: { ca: certs.ca },
    lazyConnect: true,
  });
  owned.push(client);
  await jobAndEntry({ client });
});

it('ioredis options with tls.ca: a job and a stream entry go through', async () => {
  await jobAndEntry({ host: '127.0.0.1', port: tlsPort, tls: { ca: certs.ca } });
});

it('without the CA the server is not trusted: the call fails with SLC_ERR_CONNECTION', async () => {
  const queue = new Queue('tls', {
    connection: `rediss://127.0.0.1:${tlsPort}`,
    prefix: uniquePrefix(),
    connectionRetry: { attempts: 3, minDelayMs: 10, maxDelayMs: 20 },
  });
  queue.on('error', () => {});
  try {
    const err = (await queue.add('t', {}).catch((e: unknown) => e)) as SluiceError;
    expect(err.code).toBe('SLC_ERR_CONNECTION');
  } finally {
    await queue.close();
  }
});
