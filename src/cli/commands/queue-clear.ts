/**
 * `sluice queue clear <queue> --yes`: remove every waiting job (delayed ones too with
 * `--include-delayed`, failed ones with `--include-failed`). One server call; on a terminal a bar shows the count before and after.
 */
import { parseCommand } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
import { usage } from '../errors.js';
import { printJson } from '../output.js';
import { startProgress } from '../progress.js';
import type { QueueStats } from '../wire.js';

export default command({
  name: 'queue clear',
  summary: 'remove every waiting job, delayed and failed ones if asked (needs --yes)',
  usage: 'sluice queue clear <queue> --yes [--include-delayed] [--include-failed] [--json]',
  parse(argv) {
    const p = parseCommand(
      argv,
      {
        yes: { type: 'boolean', short: 'y' },
        'include-failed': { type: 'boolean' },
        'include-delayed': { type: 'boolean' },
      },
      ['queue'],
    );
    if (p.values.yes !== true) throw usage('clear removes jobs for good: pass --yes to confirm');
    return {
      common: p.common,
      queue: p.positionals[0]!,
      includeFailed: p.values['include-failed'] === true,
      includeDelayed: p.values['include-delayed'] === true,
    };
  },
  async run(opts, io, { api }) {
    const base = `/v1/queues/${seg(opts.queue)}`;
    let total = 0;
    if (io.stderrTTY) {
      const s = await api().get<QueueStats>(base);
      total =
        s.waiting + (opts.includeDelayed ? s.delayed : 0) + (opts.includeFailed ? s.failed : 0);
    }
    const bar = startProgress(io, `clearing ${opts.queue}`, total);
    // the server clears the whole state in one call: no request timeout on it
    const out = await api().post<{ removed: number }>(
      `${base}/clear`,
      {
        ...(opts.includeFailed ? { includeFailed: true } : {}),
        ...(opts.includeDelayed ? { keepDelayed: false } : {}),
      },
      { untimed: true },
    );
    bar.update(out.removed, Math.max(total, out.removed));
    bar.finish();
    if (opts.common.json) return printJson(io, { queue: opts.queue, ...out });
    io.stdout.write(`${out.removed}\n`);
  },
});
