/**
 * `sluice queue cancel <queue> <id...>`: cancel jobs from anywhere — waiting or delayed ones are
 * removed, active ones are aborted by their worker and end as failed (reason `cancelled`).
 */
import { parseCommand } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
import { forEachId, reportFailures } from '../per-id.js';
import { printJson, printTable } from '../output.js';

export default command({
  name: 'queue cancel',
  summary: 'cancel jobs (waiting/delayed: removed; active: aborted, then failed)',
  usage: 'sluice queue cancel <queue> <id...> [--json]',
  parse(argv) {
    const p = parseCommand(argv, {}, ['queue', 'id'], true);
    return { common: p.common, queue: p.positionals[0]!, ids: p.positionals.slice(1) };
  },
  async run(opts, io, { api }) {
    const { done, failed } = await forEachId(opts.ids, (id) =>
      api().post<{ id: string; outcome: 'removed' | 'cancelling' }>(
        `/v1/queues/${seg(opts.queue)}/jobs/${seg(id)}/cancel`,
      ),
    );
    if (opts.common.json) printJson(io, done);
    else if (done.length > 0)
      printTable(
        io,
        ['ID', 'OUTCOME'],
        done.map((r) => [r.id, r.outcome]),
      );
    return reportFailures(io, failed);
  },
});
