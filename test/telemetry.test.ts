/**
 * OpenTelemetry tracing (src/telemetry.ts) on real Redis: with no tracer registered nothing is
 * stored or traced; with one, the producer's context travels with the job and each attempt (and
 * each group delivery) is a child span with messaging attributes.
 *
 * `@opentelemetry/context-async-hooks` is not installed, so the context manager is a small
 * AsyncLocalStorage one below (what that package's AsyncLocalStorageContextManager does).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Context,
  type ContextManager,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { decodeRecord } from '../src/queue/job.js';
import { tracingEnabled } from '../src/telemetry.js';
import { redisUrl, waitFor } from './harness/context.js';
import { useHarness } from './queue/helpers.js';
import { StreamHarness } from './stream/helpers.js';

class AlsContextManager implements ContextManager {
  private readonly als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.als.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.als.disable();
    return this;
  }
}

const h = useHarness();

async function storedOptions(queue: string, id: string): Promise<Record<string, unknown>> {
  const record = await h().redis.hget(h().keys(queue).jobs, id);
  return (decodeRecord(record!).body.o ?? {}) as Record<string, unknown>;
}

describe('with no tracer registered', () => {
  it('stores no trace field and creates no span', async () => {
    expect(tracingEnabled()).toBe(false);
    const q = h().queue('tn');
    await q.add('x', 1, { id: 'plain' });
    await q.add('y', 2, { id: 'meta', meta: { userId: 'u' } });
    expect(await storedOptions('tn', 'plain')).toEqual({});
    expect(await storedOptions('tn', 'meta')).toEqual({ meta: { userId: 'u' } });
    const raw = await h().redis.hget(h().keys('tn').jobs, 'plain');
    expect(raw).not.toMatch(/"tp"/);
  });
});

describe('with a tracer registered', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => {
    context.setGlobalContextManager(new AlsContextManager());
    trace.setGlobalTracerProvider(provider);
  });
  afterAll(async () => {
    trace.disable();
    context.disable();
    await provider.shutdown();
  });
  const spans = (name: string): ReadableSpan[] =>
    exporter.getFinishedSpans().filter((s) => s.name === name);

  it("the producer's context travels with the job; each attempt is its child span", async () => {
    expect(tracingEnabled()).toBe(true);
    const q = h().queue('tq');
    const tracer = trace.getTracer('test');
    const request = await tracer.startActiveSpan('request', async (span) => {
      await q.add('send', { n: 1 }, { id: 'j1' });
      span.end();
      return span.spanContext();
    });
    expect(await storedOptions('tq', 'j1')).toEqual({
      tp: `00-${request.traceId}-${request.spanId}-01`,
    });
    let calls = 0;
    h().worker(
      'tq',
      () => {
        if (++calls === 1) throw new Error('first try fails');
        return 'ok';
      },
      { retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 1 } } },
    );
    await waitFor(() => spans('tq process').length === 2, 'two attempt spans');
    const [first, second] = spans('tq process').sort(
      (a, b) =>
        Number(a.attributes['sluice.job.attempt']) - Number(b.attributes['sluice.job.attempt']),
    );
    for (const s of [first!, second!]) {
      expect(s.kind).toBe(SpanKind.CONSUMER);
      expect(s.spanContext().traceId).toBe(request.traceId);
      expect(s.parentSpanContext?.spanId).toBe(request.spanId);
      expect(s.attributes).toMatchObject({
        'messaging.system': 'sluice',
        'messaging.destination.name': 'tq',
        'messaging.message.id': 'j1',
        'messaging.operation': 'process',
        'sluice.job.name': 'send',
      });
    }
    expect(first!.attributes).toMatchObject({
      'sluice.job.attempt': 1,
      'sluice.outcome': 'failed',
    });
    expect(first!.status.message).toBe('first try fails');
    expect(second!.attributes).toMatchObject({
      'sluice.job.attempt': 2,
      'sluice.outcome': 'completed',
    });
  });

  it('a job added with no active span stores no trace field; its attempt is a root span', async () => {
    const q = h().queue('tr');
    await q.add('x', 1, { id: 'r1' });
    expect(await storedOptions('tr', 'r1')).toEqual({});
    h().worker('tr', () => 'ok');
    await waitFor(() => spans('tr process').length === 1, 'the attempt span');
    expect(spans('tr process')[0]!.parentSpanContext).toBeUndefined();
  });

  it('publish is a PRODUCER span of the active context; a group delivery a CONSUMER span', async () => {
    const sh = new StreamHarness(redisUrl());
    try {
      const topic = sh.streams().topic<number>('tt');
      const tracer = trace.getTracer('test');
      const request = await tracer.startActiveSpan('request', async (span) => {
        await topic.publish(7);
        span.end();
        return span.spanContext();
      });
      const [publish] = spans('tt publish');
      expect(publish!.kind).toBe(SpanKind.PRODUCER);
      expect(publish!.parentSpanContext?.spanId).toBe(request.spanId);
      expect(publish!.attributes).toMatchObject({
        'messaging.system': 'sluice',
        'messaging.destination.name': 'tt',
        'messaging.operation': 'publish',
        'sluice.outcome': 'completed',
      });
      const consumer = topic
        .group('g', { startAt: 'beginning' })
        .process(() => {}, { consumer: 'c', blockMs: 200 });
      await waitFor(() => spans('tt process').length === 1, 'the delivery span');
      await consumer.close();
      expect(spans('tt process')[0]!.attributes).toMatchObject({
        'messaging.destination.name': 'tt',
        'messaging.consumer.group.name': 'g',
        'sluice.delivery': 1,
        'sluice.outcome': 'completed',
      });
    } finally {
      await sh.close();
    }
  });
});
