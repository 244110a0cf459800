/** `sluice queue stats <queue>`: counts, oldest waiting age, totals and rates of one queue. */
import { parseCommand } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
import { ago, printJson, printRecord } from '../output.js';
import type { QueueStats } from '../wire.js';

export default command({
  name: 'queue stats',
  summary: 'counts, oldest waiting age, totals and rates of one queue',
  usage: 'sluice queue stats <queue> [--json]',
  parse(argv) {
    const p = parseCommand(argv, {}, ['queue']);
    return { common: p.common, queue: p.positionals[0]! };
  },
  async run(opts, io, { api }) {
    const s = await api().get<QueueStats>(`/v1/queues/${seg(opts.queue)}`);
    if (opts.common.json) return printJson(io, s);
    printRecord(io, [
      ['queue', s.name],
      ['state', s.paused ? 'paused' : 'running'],
      ['waiting', s.waiting],
      ['active', s.active],
      ['delayed', s.delayed],
      ['failed', s.failed],
      ['completed', s.completed],
      ['oldest waiting', ago(s.oldestWaitingAgeMs)],
      ['completed total', s.totals?.completed],
      ['failed total', s.totals?.failed],
      ['completed/min', s.perMinute?.completed],
      ['failed/min', s.perMinute?.failed],
    ]);
  },
});
