/** `sluice queue promote <queue> <id...>`: run delayed jobs now. */
import { parseCommand } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
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
    const out: { id: string; promoted: boolean }[] = [];
    for (const id of opts.ids) {
      out.push(await api().post(`/v1/queues/${seg(opts.queue)}/jobs/${seg(id)}/promote`));
    }
    if (opts.common.json) return printJson(io, out);
    printTable(
      io,
      ['ID', 'PROMOTED'],
      out.map((r) => [r.id, r.promoted]),
    );
  },
});
