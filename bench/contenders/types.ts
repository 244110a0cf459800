/**
 * The one interface every contender implements, so a scenario never knows which queue it drives.
 * A contender is used idiomatically, at its best settings for the scenario (see bench/README.md).
 */

/**
 * Names of the contenders, in the order they appear in every table. `sluice-ref` is the other
 * build of Sluice that `--compare <git-ref>` runs; it takes part only then. `fenced` (the fenced
 * floor, `fenced.ts`) takes part only when named.
 */
export const CONTENDER_NAMES = [
  'sluice',
  'sluice-ref',
  'bullmq',
  'bee-queue',
  'raw',
  'fenced',
] as const;
export type ContenderName = (typeof CONTENDER_NAMES)[number];

/** The job payload of every scenario: ~100 bytes of JSON (see `lib/payload.ts`). */
export interface JobData {
  /** Sequence number of the job in its run. */
  i: number;
  /** Monotonic clock (ms, `process.hrtime`) when the producer sent the job; 0 when unused. */
  t: number;
  /** Delay asked for, in ms (0 = none). */
  d: number;
  /** Padding up to the payload size. */
  p: string;
}

export interface ProducerOptions {
  url: string;
  queue: string;
}

/** The producer side of a contender. */
export interface Producer {
  /** Adds one chunk of jobs (up to 1,000) in the contender's bulk way. */
  addBulk(jobs: readonly JobData[]): Promise<void>;
  /** Adds one job; `delayMs` > 0 makes it a delayed job (contenders with `delayed` only). */
  add(job: JobData, delayMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface ConsumerOptions {
  url: string;
  queue: string;
  concurrency: number;
  /** Keep completed jobs in Redis (`true`) or remove them on completion (`false`). */
  keep: boolean;
  /** The run uses delayed jobs: turn on whatever the contender needs to promote them. */
  delayed: boolean;
  /** Called first thing in the (no-op, async) handler. */
  onStart(data: JobData): void;
  /** Called when the contender reports a job as completed (its ack is stored in Redis). */
  onCompleted(): void;
}

/** The consumer side: created (and connected) first, then `start()`ed when the clock starts. */
export interface Consumer {
  start(): void;
  close(): Promise<void>;
}

export interface Contender {
  name: ContenderName;
  /** As shown in tables. */
  label: string;
  /** What it can do: a scenario skips a contender that cannot. */
  can: { keepCompleted: boolean; delayed: boolean };
  createProducer(o: ProducerOptions): Promise<Producer>;
  createConsumer(o: ConsumerOptions): Promise<Consumer>;
}

/** Contender labels, for tables (`sluice-ref` is renamed after the ref by `--compare`). */
export const LABELS: Record<ContenderName, string> = {
  sluice: 'Sluice',
  'sluice-ref': 'Sluice @ref',
  bullmq: 'BullMQ',
  'bee-queue': 'Bee-Queue',
  raw: 'raw ceiling',
  fenced: 'fenced floor',
};
