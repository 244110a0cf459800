/** The job payload: `{ i, t, d, p }` padded so its JSON is 100 bytes (the "~100 B" of the issue). */
import type { JobData } from '../contenders/types.js';

export const PAYLOAD_BYTES = 100;
const PAD = 'x'.repeat(PAYLOAD_BYTES);

/** A job whose JSON is exactly {@link PAYLOAD_BYTES} long (or a little more if `t` is huge). */
export function makeJob(i: number, t = 0, d = 0): JobData {
  const job: JobData = { i, t, d, p: '' };
  const bare = JSON.stringify(job).length;
  job.p = PAD.slice(0, Math.max(0, PAYLOAD_BYTES - bare));
  return job;
}

/** Monotonic clock in ms (CLOCK_MONOTONIC: one clock for every process on this machine). */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
