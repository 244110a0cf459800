/** The options of `new Queue`: checked, with defaults applied. */
import { ValidationError } from '../errors.js';
import type { DurableOptions, QueueOptions } from './queue.js';
import {
  MAX_BYTES,
  MAX_INTERVAL_MS,
  connectionProblem,
  intProblem,
  isOptionsObject,
  knownKeys,
  optionsArg,
  prefixProblem,
  pushUnknownKeys,
  shown,
} from '../validate.js';

/** What a Queue is built from, checked and with defaults applied. */
export interface QueueSettings {
  connection: QueueOptions['connection'];
  prefix: string | undefined;
  maxPayloadBytes: number;
  /** `durable` with its default filled in, or undefined. */
  durable: Required<DurableOptions> | undefined;
  /** As given (checked 1–MAX_PARTITIONS); undefined = read the stored count at first use. */
  partitions: number | undefined;
}

/** Most partitions one queue may have. */
export const MAX_PARTITIONS = 256;

const QUEUE_KEYS = knownKeys(
  ['connection', 'prefix', 'maxPayloadBytes', 'connectionRetry', 'durable', 'partitions'],
  {
    defaultJobOptions:
      'options of each add(); retry and retention are Worker options (retry, keepCompleted, keepFailed)',
    streams: '',
    skipVersionCheck: '',
    telemetry: '',
  },
);

const DURABLE_KEYS = knownKeys(['replicas', 'timeoutMs'], {
  numReplicas: 'replicas',
  timeout: 'timeoutMs',
});

/** Checks `durable` of the Queue options; pushes its problems. */
function durableOption(v: unknown, problems: string[]): Required<DurableOptions> | undefined {
  if (v === undefined) return undefined;
  if (!isOptionsObject(v)) {
    problems.push(`durable must be an object { replicas, timeoutMs? }, got ${shown(v)}`);
    return undefined;
  }
  pushUnknownKeys(v, DURABLE_KEYS, 'durable.', problems);
  const o = v as unknown as DurableOptions;
  const before = problems.length;
  for (const p of [
    o.replicas === undefined
      ? 'durable.replicas is required'
      : intProblem('durable.replicas', o.replicas, 1, 100),
    intProblem('durable.timeoutMs', o.timeoutMs, 1, MAX_INTERVAL_MS),
  ])
    if (p) problems.push(p);
  return problems.length > before
    ? undefined
    : { replicas: o.replicas, timeoutMs: o.timeoutMs ?? 1000 };
}

const DEFAULT_MAX_PAYLOAD = 512 * 1024;

/**
 * Checks the options of `new Queue` (throwing one `SLC_ERR_INVALID_OPTIONS` that lists every
 * problem) and applies defaults. A string is taken as the connection URL.
 */
export function resolveQueueOptions(options: QueueOptions | string | undefined): QueueSettings {
  if (typeof options === 'string')
    return {
      connection: options,
      prefix: undefined,
      maxPayloadBytes: DEFAULT_MAX_PAYLOAD,
      durable: undefined,
      partitions: undefined,
    };
  const o = optionsArg(options, 'Queue options');
  const problems: string[] = [];
  pushUnknownKeys(o, QUEUE_KEYS, '', problems);
  for (const p of [
    connectionProblem(o.connection),
    prefixProblem(o.prefix),
    intProblem('maxPayloadBytes', o.maxPayloadBytes, 1, MAX_BYTES),
    intProblem('partitions', o.partitions, 1, MAX_PARTITIONS),
  ])
    if (p) problems.push(p);
  const durable = durableOption(o.durable, problems);
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  return {
    connection: o.connection,
    prefix: o.prefix,
    maxPayloadBytes: o.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD,
    durable,
    partitions: o.partitions,
  };
}
