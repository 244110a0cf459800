/**
 * Latency samples of the gateway bench: the publisher stamps each message with
 * `process.hrtime` (CLOCK_MONOTONIC, the same clock in every process of the machine) as `"t":<ns>`
 * first in its JSON; a client reads it back without parsing the message. Samples go into a
 * fixed histogram (10 µs steps to 100 ms, then 1 ms steps to 10 s) that processes merge.
 */

const FINE = 10_000; // 10 µs buckets below 100 ms
const COARSE = 9_900; // 1 ms buckets from 100 ms to 10 s
export const BUCKETS = FINE + COARSE + 1;

/** The bucket of a latency in µs. */
export function bucketOf(us: number): number {
  if (us < 0) return 0;
  if (us < 100_000) return Math.floor(us / 10);
  return Math.min(BUCKETS - 1, FINE + Math.floor((us - 100_000) / 1000));
}

/** The latency (µs) a bucket stands for (its upper edge). */
export function usOf(bucket: number): number {
  return bucket < FINE ? (bucket + 1) * 10 : 100_000 + (bucket - FINE + 1) * 1000;
}

const T = Buffer.from('"t":');

/** The `"t":<ns>` stamp of a message (Buffer or string), or -1. */
export function stampOf(msg: Buffer | string): number {
  const s = typeof msg === 'string' ? msg : undefined;
  let i = s !== undefined ? s.indexOf('"t":') : (msg as Buffer).indexOf(T);
  if (i < 0) return -1;
  i += 4;
  let n = 0;
  for (;;) {
    const c = s !== undefined ? s.charCodeAt(i) : (msg as Buffer)[i]!;
    if (c < 48 || c > 57) return n;
    n = n * 10 + (c - 48);
    i++;
  }
}

/** Now, in ns, on the clock the stamps use. */
export const nowNs = (): number => Number(process.hrtime.bigint());

/** Percentiles (µs) of merged sparse histograms `[bucket, count][]`. */
export function percentiles(
  sparse: [number, number][],
  ps: number[],
): { count: number; values: number[]; maxUs: number } {
  const hist = new Float64Array(BUCKETS);
  for (const [b, c] of sparse) hist[b]! += c;
  let count = 0;
  for (const c of hist) count += c;
  const values = ps.map((p) => {
    const want = Math.max(1, Math.ceil(count * p));
    let acc = 0;
    for (let b = 0; b < BUCKETS; b++) {
      acc += hist[b]!;
      if (acc >= want) return usOf(b);
    }
    return NaN;
  });
  let maxUs = NaN;
  for (let b = BUCKETS - 1; b >= 0; b--)
    if (hist[b]! > 0) {
      maxUs = usOf(b);
      break;
    }
  return { count, values, maxUs };
}
