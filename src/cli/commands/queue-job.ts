/** `sluice queue job <queue> <id>`: one job with payload, meta, attempts and result. */
import { parseCommand } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
import { isoTime, printJson, printRecord, type Cell } from '../output.js';
import type { JobView } from '../wire.js';

export default command({
  name: 'queue job',
  summary: 'one job: payload, meta, attempts with errors and stacks, result',
  usage: 'sluice queue job <queue> <id> [--json]',
  parse(argv) {
    const p = parseCommand(argv, {}, ['queue', 'id']);
    return { common: p.common, queue: p.positionals[0]!, id: p.positionals[1]! };
  },
  async run(opts, io, { api }) {
    const j = await api().get<JobView>(`/v1/queues/${seg(opts.queue)}/jobs/${seg(opts.id)}`);
    if (opts.common.json) return printJson(io, j);
    printRecord(io, [
      ['id', j.id],
      ['queue', j.queue],
      ['name', j.name],
      ['state', j.state],
      ['priority', j.priority],
      ['created', isoTime(j.createdAt)],
      ['attempts', j.attemptsMade],
      ...optional('attempts started', j.attemptsStarted),
      ...optional('processed', j.processedOn === undefined ? undefined : isoTime(j.processedOn)),
      ...optional('finished', j.finishedOn === undefined ? undefined : isoTime(j.finishedOn)),
      ['data', JSON.stringify(j.data)],
      ['meta', JSON.stringify(j.meta)],
      ...optional('progress', j.progress === undefined ? undefined : JSON.stringify(j.progress)),
      ...optional('error', j.failedReason),
      ...optional(
        'result',
        j.returnValue === undefined ? undefined : JSON.stringify(j.returnValue),
      ),
    ]);
    j.history.forEach((a, i) => {
      io.stdout.write(
        `\nattempt ${i + 1} at ${isoTime(a.at)}${a.stalled ? ' (stalled)' : ''}: ${a.error}\n`,
      );
      if (a.stack && io.stdoutTTY) io.stdout.write(a.stack.replace(/^/gm, '    ') + '\n');
    });
    if (j.logs?.length) io.stdout.write(`\nlogs\n${j.logs.map((l) => `  ${l}\n`).join('')}`);
  },
});

/** A row only when the field is present. */
function optional(label: string, value: Cell): [string, Cell][] {
  return value === undefined ? [] : [[label, value]];
}
