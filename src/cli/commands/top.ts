/**
 * `sluice top`: a live view of every queue (state, counts, rates, oldest waiting), redrawn on
 * each snapshot. Keys: q quits, j/k or arrows select, s sorts. Ctrl-C quits too. `--once` draws
 * one frame and exits (for scripts). Split like asynq's `dash`: state, fetcher, drawer, keys.
 */
import { intFlag, parseCommand } from '../args.js';
import { command } from '../command.js';
import { describeError } from '../errors.js';
import type { Io } from '../io.js';
import { drawFrame } from '../top/drawer.js';
import { pollFetcher, type QueueFetcher } from '../top/fetcher.js';
import { keyAction, splitKeys } from '../top/keys.js';
import { initialState, reduce, type Action, type TopState } from '../top/state.js';

/** Runs the view over a fetcher until a quit key, Ctrl-C, or the first frame with `once`. */
export async function runTop(io: Io, fetcher: QueueFetcher, once: boolean): Promise<number> {
  let state: TopState = initialState();
  const live = io.stdoutTTY && !once;
  // A live view fits the terminal; a frame that is printed (piped, or --once) is whole.
  const screen = () => ({
    columns: live ? io.columns : Number.MAX_SAFE_INTEGER,
    rows: live ? (io.rows ?? 24) : Number.MAX_SAFE_INTEGER,
    color: io.stdoutTTY,
    source: fetcher.source,
  });
  const draw = () => {
    const lines = drawFrame(state, screen());
    // Terminal: redraw in place (home, clear). Piped: each frame as plain lines, then a blank.
    io.stdout.write(live ? `\x1b[H\x1b[2J${lines.join('\n')}` : `${lines.join('\n')}\n\n`);
  };
  if (live) io.stdout.write('\x1b[?1049h\x1b[?25l');
  let quit!: () => void;
  const finished = new Promise<void>((r) => (quit = r));
  const apply = (a: Action) => {
    state = reduce(state, a);
    draw();
  };
  // --once: a failure is the command's, with its own exit code (3 unreachable, 4 the token)
  let failure: unknown;
  fetcher.start(
    (queues, at) => {
      apply({ type: 'snapshot', at, queues });
      if (once) quit();
    },
    (err) => {
      if (once) {
        failure = err ?? new Error('top failed');
        return quit();
      }
      apply({ type: 'error', message: describeError(err) });
    },
  );
  const onAbort = () => quit();
  io.signal.addEventListener('abort', onAbort);
  void (async () => {
    if (once || !io.keys) return;
    for await (const chunk of io.keys()) {
      for (const key of splitKeys(chunk)) {
        const a = keyAction(key);
        if (a === 'quit') return quit();
        if (a) apply(a);
      }
    }
  })();
  await finished;
  fetcher.stop();
  io.signal.removeEventListener('abort', onAbort);
  if (live) io.stdout.write('\x1b[?25h\x1b[?1049l');
  if (failure !== undefined) throw failure;
  return 0;
}

export default command({
  name: 'top',
  summary: 'a live view of every queue (q quits)',
  usage: 'sluice top [--interval ms] [--once]',
  parse(argv) {
    const p = parseCommand(argv, { interval: { type: 'string' }, once: { type: 'boolean' } }, []);
    return {
      common: p.common,
      intervalMs: intFlag(p.values.interval, 'interval', 1000, 100),
      once: p.values.once === true,
    };
  },
  run: (opts, io, { api }) => runTop(io, pollFetcher(api(), opts.intervalMs), opts.once),
});
