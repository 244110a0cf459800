/** A Pub/Sub subscription made while the connection is still handshaking costs no failed ready check. */
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { openConnection, subscribeWhenReady } from '../../src/redis/connection.js';
import { redisUrl, waitFor } from '../harness/context.js';

describe('subscribeWhenReady', () => {
  it('subscribes from the connect event without an error, and receives', async () => {
    const errors: string[] = [];
    const client = openConnection(redisUrl(), (e) => errors.push(e.message));
    const got: string[] = [];
    client.on('message', (_c: string, m: string) => got.push(m));
    await new Promise((r) => client.once('connect', r));
    // ioredis would write SUBSCRIBE now, before its INFO ready check, which Redis then refuses.
    await subscribeWhenReady(client, 'sub-ready-test');
    const pub = new Redis(redisUrl());
    await waitFor(async () => {
      await pub.publish('sub-ready-test', 'hello');
      return got.length > 0;
    }, 'a message');
    await new Promise((r) => setTimeout(r, 100));
    expect(errors).toEqual([]);
    expect(got[0]).toBe('hello');
    pub.disconnect();
    client.disconnect();
  });

  it('rejects when the connection closes before it is ready', async () => {
    const client = openConnection('redis://127.0.0.1:1', () => {});
    const p = subscribeWhenReady(client, 'never');
    client.disconnect();
    await expect(p).rejects.toThrow(/closed before it was ready/);
  });
});
