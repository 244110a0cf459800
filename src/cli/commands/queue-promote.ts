/** `sluice queue promote <queue> <id...>`: run delayed jobs now. */
import { parseCommand } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
import { forEachId, reportFailures } from '../per-id.js';
import { printJson, printTable } from '../output.js';

export default command({
  name: 'queue promote',
  summary: 'run delayed jobs now',
  usage: 'sluice queue promote <queue> <id...> [--json]',
  parse(argv) {
    const p = parseCommand(argv, {}, ['queue', 'id'], true);
    return { common: p.common, queue: p.positionals[0]!, ids: p.positionals.slice(1) };
  },
  async run(opts, io, { api }) {
    const { done, failed } = await forEachId(opts.ids, (id) =>
      api().post<{ id: string; promoted: boolean }>(
        `/v1/queues/${seg(opts.queue)}/jobs/${seg(id)}/promote`,
      ),
    );
    if (opts.common.json) printJson(io, done);
    else if (done.length > 0)
      printTable(
        io,
        ['ID', 'PROMOTED'],
        done.map((r) => [r.id, r.promoted]),
      );
    return reportFailures(io, failed);
  },
});
