/**
 * `sluice topic range <topic>`: export history after a position, paging through it (a bar on a
 * terminal). Table rows by default; `--json` writes one JSON entry per line (JSON Lines), so an
 * export of any size streams. A truncated history is said on stderr.
 */
import { intFlag, parseCommand, strFlag } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
import { compact, isoTime, printTable } from '../output.js';
import { startProgress } from '../progress.js';
import type { EntryPage, TopicInfo } from '../wire.js';

export default command({
  name: 'topic range',
  summary: 'export history after a position (default: from the oldest kept entry)',
  usage: 'sluice topic range <topic> [--after position] [--limit n] [--page n] [--json]',
  parse(argv) {
    const p = parseCommand(
      argv,
      {
        after: { type: 'string' },
        limit: { type: 'string', short: 'n' },
        page: { type: 'string' },
      },
      ['topic'],
    );
    return {
      common: p.common,
      topic: p.positionals[0]!,
      after: strFlag(p.values.after) ?? '0',
      limit: intFlag(p.values.limit, 'limit', Infinity, 1),
      page: intFlag(p.values.page, 'page', 1000, 1, 1000),
    };
  },
  async run(opts, io, { api }) {
    const base = `/v1/topics/${seg(opts.topic)}`;
    let total = 0;
    if (io.stderrTTY) total = Math.min(opts.limit, (await api().get<TopicInfo>(base)).length);
    const bar = startProgress(io, `reading ${opts.topic}`, total);
    let after = opts.after;
    let seen = 0;
    let truncated = false;
    try {
      while (seen < opts.limit && !io.signal.aborted) {
        const limit = Math.min(opts.page, opts.limit - seen);
        const page = await api().get<EntryPage>(`${base}/entries`, { after, limit });
        if (page.truncated) truncated = true;
        // the bar and the table on one terminal: the bar's line goes before the page is printed
        if (io.stdoutTTY) bar.clear();
        if (opts.common.json) {
          for (const e of page.entries) io.stdout.write(JSON.stringify(e) + '\n');
        } else {
          // Piped tables have no header, so pages concatenate; on a terminal, one header a page.
          printTable(
            io,
            ['POSITION', 'TIME', 'DATA'],
            page.entries.map((e) => [e.position, isoTime(e.time), compact(e.data, 200)]),
          );
        }
        seen += page.entries.length;
        bar.update(seen, Math.max(total, seen));
        after = page.next;
        if (!page.hasMore || page.entries.length === 0) break;
      }
    } finally {
      bar.finish();
    }
    if (truncated)
      io.stderr.write(`warning: history after ${opts.after} was trimmed: older entries are gone\n`);
    return io.signal.aborted ? 130 : 0;
  },
});
