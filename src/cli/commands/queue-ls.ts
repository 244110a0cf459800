/** `sluice queue ls`: every known queue with its counts. */
import { parseCommand } from '../args.js';
import { command } from '../command.js';
import { ago, printJson, printTable } from '../output.js';
import type { QueueStats } from '../wire.js';

export const QUEUE_HEADERS = [
  'QUEUE',
  'STATE',
  'WAITING',
  'ACTIVE',
  'DELAYED',
  'FAILED',
  'COMPLETED',
  'OLDEST',
];

/** One table row of a queue's counts. */
export function queueRow(q: QueueStats): (string | number)[] {
  return [
    q.name,
    q.paused ? 'paused' : 'running',
    q.waiting,
    q.active,
    q.delayed,
    q.failed,
    q.completed,
    ago(q.oldestWaitingAgeMs),
  ];
}

export default command({
  name: 'queue ls',
  summary: 'list every known queue with its counts',
  usage: 'sluice queue ls [--json]',
  parse: (argv) => ({ common: parseCommand(argv, {}, []).common }),
  async run(opts, io, { api }) {
    const body = await api().get<{ queues: QueueStats[] }>('/v1/queues');
    if (opts.common.json) return printJson(io, body.queues);
    printTable(io, QUEUE_HEADERS, body.queues.map(queueRow));
  },
});
