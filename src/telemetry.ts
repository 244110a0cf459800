/**
 * Optional OpenTelemetry tracing through `@opentelemetry/api` (shared by queues and streams).
 *
 * - A producer's active span travels with the job as a W3C `traceparent` in the job's stored
 *   options (`tp`), written only when a span is active: nothing at all when no tracing is set up.
 * - A worker runs each attempt in a CONSUMER span, child of that context, with messaging
 *   attributes (queue, job id, attempt, outcome); a group consumer does the same per delivery,
 *   and `publish` runs in a PRODUCER span.
 * - With no tracer provider registered, every function here returns after one check and
 *   allocates nothing (see `tracingEnabled`).
 *
 * The traceparent is written and read here (W3C format), so context travels without a
 * registered propagator.
 */
import {
  context,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

/** The tracer name (instrumentation scope) of Sluice's spans. */
export const TRACER_NAME = 'sluice';

// A fresh proxy with no delegate hands out the API's no-op provider: what "nothing registered" is.
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/** True when a tracer provider is registered (spans would be recorded somewhere). */
export function tracingEnabled(): boolean {
  const p = trace.getTracerProvider();
  return !(p instanceof ProxyTracerProvider) || p.getDelegate() !== NOOP_PROVIDER;
}

/** The W3C traceparent of the active span, or undefined when none is active (the usual case). */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const sc = span.spanContext();
  if (!trace.isSpanContextValid(sc)) return undefined;
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The context a stored traceparent names (a remote parent), or `fallback` when none. */
export function contextFromTraceparent(tp: string | undefined, fallback: Context): Context {
  const m = tp ? TRACEPARENT.exec(tp) : null;
  if (!m) return fallback;
  const sc = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true };
  return trace.isSpanContextValid(sc) ? trace.setSpanContext(ROOT_CONTEXT, sc) : fallback;
}

/** What a traced unit of work is, for its span. */
export interface TraceTarget {
  /** Queue or topic name (`messaging.destination.name`). */
  destination: string;
  /** `process` (a worker's attempt, a group's delivery) or `publish`. */
  operation: 'process' | 'publish';
  /** Job id or entry id (`messaging.message.id`), when known before the work starts. */
  messageId?: string;
  /** The producer's traceparent (the span's parent); default: the active context. */
  traceparent?: string;
  /** More attributes (`sluice.*`). */
  attributes?: Attributes;
}

/**
 * Runs `work` in a span for `target` when tracing is enabled, else just runs it (same return,
 * same synchronous throw). The span ends when the work settles, with `sluice.outcome`
 * `completed` or `failed` (and the error recorded).
 * @example
 * ```ts
 * const result = await traced({ destination: 'emails', operation: 'process', messageId: id }, () => send());
 * ```
 */
export function traced<T>(target: TraceTarget, work: () => T | Promise<T>): T | Promise<T> {
  if (!tracingEnabled()) return work();
  const parent = contextFromTraceparent(target.traceparent, context.active());
  const span = trace.getTracer(TRACER_NAME).startSpan(
    `${target.destination} ${target.operation}`,
    {
      kind: target.operation === 'publish' ? SpanKind.PRODUCER : SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'sluice',
        'messaging.destination.name': target.destination,
        'messaging.operation': target.operation,
        'messaging.operation.type': target.operation === 'publish' ? 'send' : 'process',
        ...(target.messageId === undefined ? {} : { 'messaging.message.id': target.messageId }),
        ...target.attributes,
      },
    },
    parent,
  );
  let out: T | Promise<T>;
  try {
    out = context.with(trace.setSpan(parent, span), work);
  } catch (err) {
    endSpan(span, err, true);
    throw err;
  }
  return Promise.resolve(out).then(
    (value) => {
      endSpan(span, undefined, false);
      return value;
    },
    (err: unknown) => {
      endSpan(span, err, true);
      throw err;
    },
  );
}

function endSpan(span: Span, err: unknown, failed: boolean): void {
  span.setAttribute('sluice.outcome', failed ? 'failed' : 'completed');
  if (failed) {
    if (err instanceof Error) span.recordException(err);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: err instanceof Error ? err.message : String(err),
    });
  }
  span.end();
}

/** The parts of a job its attempt span needs (structural: this layer does not import queues). */
interface TracedJob {
  id: string;
  name: string;
  attemptsMade: number;
  options: { tp?: string };
}

/**
 * Runs one attempt of `job` of `queue` (the worker's handler call) in a CONSUMER span whose
 * parent is the producer's context; just runs it when tracing is off.
 */
export function traceAttempt<T>(
  queue: string,
  job: TracedJob,
  work: () => T | Promise<T>,
): T | Promise<T> {
  if (!tracingEnabled()) return work();
  return traced(
    {
      destination: queue,
      operation: 'process',
      messageId: job.id,
      traceparent: job.options.tp,
      attributes: { 'sluice.job.name': job.name, 'sluice.job.attempt': job.attemptsMade + 1 },
    },
    work,
  );
}

/** Runs a publish to `topic` in a PRODUCER span; just runs it when tracing is off. */
export function tracePublish<T>(topic: string, work: () => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return work();
  return Promise.resolve(traced({ destination: topic, operation: 'publish' }, work));
}

/** Runs one delivery of entry `id` to consumer group `group` of `topic` in a CONSUMER span. */
export function traceDelivery<T>(
  topic: string,
  group: string,
  id: string,
  deliveries: number,
  work: () => T | Promise<T>,
): T | Promise<T> {
  if (!tracingEnabled()) return work();
  return traced(
    {
      destination: topic,
      operation: 'process',
      messageId: id,
      attributes: {
        'messaging.consumer.group.name': group,
        'sluice.delivery': deliveries,
      },
    },
    work,
  );
}
