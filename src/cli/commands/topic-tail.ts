/**
 * `sluice topic tail <topic>`: follow a topic live over the server's SSE route. `--after` (or
 * `--from-start`) first replays history; `--limit n` stops after n entries. If the stream drops,
 * it resumes after the last position printed (no gap, no duplicate). Ctrl-C ends it (exit 0).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ConnectionError, TimeoutError } from '../../index.js';
import { intFlag, parseCommand, strFlag } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
import { ApiError, describeError, usage } from '../errors.js';
import { compact, printTable } from '../output.js';
import { readEvents } from '../sse.js';

/** First and longest wait before a reconnect while the server is away. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;

/** The line `--json` prints per entry: the shape `topic range --json` prints. */
function entryLine(position: string | undefined, data: unknown) {
  const id = position?.slice(position.lastIndexOf(':') + 1);
  return { position, id, time: id === undefined ? undefined : Number(id.split('-')[0]), data };
}

/** Whether a failure may clear by itself: the server unreachable or failing, the stream cut. */
function retryable(err: unknown): boolean {
  if (err instanceof ApiError) return err.status >= 500;
  // undici's read of a cut body ("terminated") is a TypeError
  return err instanceof ConnectionError || err instanceof TimeoutError || err instanceof TypeError;
}

export default command({
  name: 'topic tail',
  summary: 'follow a topic live (SSE); --after / --from-start replay history first',
  usage: 'sluice topic tail <topic> [--after position | --from-start] [--limit n] [--json]',
  parse(argv) {
    const p = parseCommand(
      argv,
      {
        after: { type: 'string' },
        'from-start': { type: 'boolean' },
        limit: { type: 'string', short: 'n' },
      },
      ['topic'],
    );
    const after = strFlag(p.values.after);
    if (after !== undefined && p.values['from-start'])
      throw usage('give --after or --from-start, not both');
    return {
      common: p.common,
      topic: p.positionals[0]!,
      after: p.values['from-start'] ? '0' : after,
      limit: intFlag(p.values.limit, 'limit', Infinity, 1),
    };
  },
  async run(opts, io, { api }) {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    io.signal.addEventListener('abort', onAbort);
    let after = opts.after;
    let seen = 0;
    let backoff = RETRY_MIN_MS;
    let outage = false;
    const client = api(); // a configuration problem ends the command (exit 2), not retried
    try {
      while (!stop.signal.aborted) {
        try {
          const res = await client.stream(
            `/v1/topics/${seg(opts.topic)}/events`,
            { after },
            stop.signal,
          );
          // 204: the topic was deleted (docs/gateway.md): nothing more will come
          if (res.status === 204) {
            io.stderr.write(`the topic ${opts.topic} was deleted: nothing more to follow\n`);
            return 1;
          }
          if (outage) io.stderr.write('reconnected\n');
          outage = false;
          backoff = RETRY_MIN_MS;
          for await (const ev of readEvents(res.body!)) {
            if (ev.event === 'truncated') {
              io.stderr.write(`warning: history was trimmed: ${ev.data}\n`);
              continue;
            }
            if (ev.event !== 'entry') continue;
            const data: unknown = JSON.parse(ev.data);
            if (ev.id !== undefined) after = ev.id;
            if (opts.common.json) io.stdout.write(JSON.stringify(entryLine(ev.id, data)) + '\n');
            else printTable({ ...io, stdoutTTY: false }, [], [[ev.id, compact(data, 200)]]);
            if (++seen >= opts.limit) {
              // Abort first: it closes the connection (cancelling the body alone may not).
              stop.abort();
              return 0;
            }
          }
        } catch (err) {
          // Only the server away, failing (5xx) or the stream breaking off is retried: a refusal
          // (the token, the topic) or an entry that is not JSON is the answer.
          if (stop.signal.aborted || !retryable(err)) throw err;
          // Unreachable, or the stream broke off: try again, after the last one printed.
          if (!outage) io.stderr.write(`${describeError(err).trim()}; retrying\n`);
          outage = true;
        }
        // The stream ended (a restart, a slow-client cut) or failed: resume after the last one.
        if (!stop.signal.aborted)
          await delay(outage ? backoff : RETRY_MIN_MS, undefined, { signal: stop.signal }).catch(
            () => {},
          );
        if (outage) backoff = Math.min(backoff * 2, RETRY_MAX_MS);
      }
    } catch (err) {
      if (!stop.signal.aborted) throw err;
    } finally {
      io.signal.removeEventListener('abort', onAbort);
      stop.abort();
    }
    return 0;
  },
});
