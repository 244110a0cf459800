/** `sluice queue pause <queue>` and `resume`: stop or restart every worker of a queue at once. */
import { parseCommand } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
import { printJson } from '../output.js';

/** The pause or resume command (they differ only in the verb). */
export function pauseCommand(verb: 'pause' | 'resume') {
  return command({
    name: `queue ${verb}`,
    summary: verb === 'pause' ? 'pause every worker of a queue' : 'resume every worker of a queue',
    usage: `sluice queue ${verb} <queue> [--json]`,
    parse(argv) {
      const p = parseCommand(argv, {}, ['queue']);
      return { common: p.common, queue: p.positionals[0]! };
    },
    async run(opts, io, { api }) {
      const out = await api().post<{ paused: boolean }>(`/v1/queues/${seg(opts.queue)}/${verb}`);
      if (opts.common.json) return printJson(io, { queue: opts.queue, ...out });
      io.stdout.write(`${opts.queue}\t${out.paused ? 'paused' : 'running'}\n`);
    },
  });
}

export default pauseCommand('pause');
