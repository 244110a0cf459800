/**
 * Publishing rides out a Redis restart: calls made while Redis is down wait and retry with
 * back-off (within the configured attempts), and a live subscriber continues without a gap or
 * a duplicate. `ping()` reports the outage. Uses a redis-server of its own (AOF, fsync always),
 * which it kills with SIGKILL and restarts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, START, SluiceError } from '../../src/index.js';
import { RedisServer } from '../harness/redis-server.js';
import { waitFor } from '../harness/context.js';
import { Collector, StreamHarness, assertNoGapNoDup } from './helpers.js';

describe('publish retry across a Redis restart', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start({ persistence: 'aof-always' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('retries publishes while Redis is down; a subscriber sees each entry once', async () => {
    const h = new StreamHarness(server.url);
    const streams = h.streams({ retry: { attempts: 60, minDelayMs: 20, maxDelayMs: 200 } });
    const topic = streams.topic<number>('dispatch');
    const c = new Collector(h.streams().topic<number>('dispatch').subscribe({ after: START }));
    const publishing = (async () => {
      for (let n = 0; n < 300; n++) await topic.publish(n, { idempotencyKey: `task-${n}` });
    })();
    await waitFor(() => c.entries.length >= 100, '100 delivered');
    await server.kill9();
    // Down: refused at once, or — if the PING left just before the connection noticed — timed out.
    const down = await streams.ping({ timeoutMs: 300 }).catch((e: SluiceError) => e.code);
    expect(['SLC_ERR_CONNECTION', 'SLC_ERR_TIMEOUT']).toContain(down);
    await new Promise((r) => setTimeout(r, 400)); // publishes wait and retry meanwhile
    await server.restart();
    await publishing;
    expect(await streams.ping()).toBeGreaterThanOrEqual(0);
    await c.waitForCount(300);
    assertNoGapNoDup(c.data, 0, 300);
    const all = await topic.range({ limit: 1000 });
    assertNoGapNoDup(
      all.entries.map((e) => e.data),
      0,
      300,
    );
    await c.stop();
  });

  it('fails with SLC_ERR_CONNECTION once the attempts are used up, having sent nothing', async () => {
    const h = new StreamHarness(server.url);
    const streams = h.streams({ retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 20 } });
    const topic = streams.topic<string>('gives-up');
    // connected first: a budget this small (~40 ms) does not cover a new connection's start on
    // a loaded machine (the server was restarted by the test before)
    await waitFor(async () => (await streams.ping().catch(() => -1)) >= 0, 'connected');
    await topic.publish('before');
    await server.kill9();
    const err = await topic.publish('during').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as SluiceError).code).toBe('SLC_ERR_CONNECTION');
    await server.restart();
    await waitFor(async () => (await topic.info().catch(() => undefined))?.length === 1, 'back');
    expect((await topic.range()).entries.map((e) => e.data)).toEqual(['before']);
  });

  it('fails a publish in flight once Redis stays away for the retry budget; the key keeps it exact', async () => {
    const h = new StreamHarness(server.url);
    const topic = h
      .streams({ retry: { attempts: 4, minDelayMs: 20, maxDelayMs: 50 } })
      .topic<string>('in-flight');
    await topic.publish('before');
    await h.redis.call('CLIENT', 'PAUSE', 10_000, 'ALL'); // the next publish is sent, not run
    const pending = topic.publish('during', { idempotencyKey: 'once' });
    await new Promise((r) => setTimeout(r, 100));
    await server.kill9();
    const started = Date.now();
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(Date.now() - started).toBeLessThan(5_000); // the budget is 110 ms: not "for ever"
    await server.restart();
    // The client re-sends the unanswered publish when it reconnects; the retry, with the same
    // key, appends nothing more.
    // The client reconnects on its own back-off (up to 2 s), which may outlast this topic's small
    // retry budget: retry until it is back — with the same key, however many times.
    const retried = (await waitFor(
      () =>
        topic.publish('during', { idempotencyKey: 'once' }).catch((e: unknown) => {
          if (e instanceof ConnectionError) return undefined;
          throw e;
        }),
      'publish after the restart',
    ))!;
    await waitFor(
      async () => (await topic.range()).entries.some((e) => e.position === retried.position),
      'retried publish visible',
    );
    await new Promise((r) => setTimeout(r, 200));
    expect((await topic.range()).entries.map((e) => e.data)).toEqual(['before', 'during']);
  });
});
