/** `sluice queue jobs <queue>`: a page of jobs in one state, in that state's order (see `getJobs`). */
import { choiceFlag, intFlag, parseCommand } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
import { compact, isoTime, printJson, printTable } from '../output.js';
import { JOB_STATES, type JobPage } from '../wire.js';

export default command({
  name: 'queue jobs',
  summary: 'a page of jobs in one state (default waiting)',
  usage: `sluice queue jobs <queue> [--state ${JOB_STATES.join('|')}] [--offset n] [--limit n] [--json]`,
  parse(argv) {
    const p = parseCommand(
      argv,
      {
        state: { type: 'string', short: 's' },
        offset: { type: 'string' },
        limit: { type: 'string', short: 'n' },
      },
      ['queue'],
    );
    return {
      common: p.common,
      queue: p.positionals[0]!,
      state: choiceFlag(p.values.state, 'state', JOB_STATES) ?? 'waiting',
      offset: intFlag(p.values.offset, 'offset', 0),
      limit: intFlag(p.values.limit, 'limit', 20, 1, 1000),
    };
  },
  async run(opts, io, { api }) {
    const page = await api().get<JobPage>(`/v1/queues/${seg(opts.queue)}/jobs`, {
      state: opts.state,
      offset: opts.offset,
      limit: opts.limit,
    });
    if (opts.common.json) return printJson(io, page);
    printTable(
      io,
      ['ID', 'NAME', 'ATTEMPTS', 'CREATED', opts.state === 'failed' ? 'ERROR' : 'DATA'],
      page.jobs.map((j) => [
        j.id,
        j.name,
        j.attemptsMade,
        isoTime(j.createdAt),
        opts.state === 'failed' ? (j.failedReason ?? '') : compact(j.data),
      ]),
    );
    const shown = opts.offset + page.jobs.length;
    if (io.stdoutTTY)
      io.stderr.write(`${page.jobs.length} of ${page.total} ${opts.state} (to ${shown})\n`);
  },
});
