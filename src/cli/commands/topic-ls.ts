/** `sluice topic ls`: every known topic with its length and groups. */
import { parseCommand } from '../args.js';
import { command } from '../command.js';
import { printJson, printTable } from '../output.js';
import type { TopicInfo } from '../wire.js';

export default command({
  name: 'topic ls',
  summary: 'list every known topic with its length and groups',
  usage: 'sluice topic ls [--json]',
  parse: (argv) => ({ common: parseCommand(argv, {}, []).common }),
  async run(opts, io, { api }) {
    const topics: TopicInfo[] = [];
    // Page through the registry: the server answers at most 1000 a page.
    for (let offset = 0; ;) {
      const page = await api().get<{ total: number; topics: TopicInfo[] }>('/v1/topics', {
        offset,
        limit: 1000,
      });
      topics.push(...page.topics);
      offset += page.topics.length;
      if (page.topics.length === 0 || offset >= page.total) break;
    }
    if (opts.common.json) return printJson(io, topics);
    printTable(
      io,
      ['TOPIC', 'LENGTH', 'LAST', 'GROUPS', 'LAG', 'PENDING', 'DEAD'],
      topics.map((t) => [
        t.name,
        t.length,
        t.last,
        t.groups.length,
        sum(t, 'lag'),
        sum(t, 'pending'),
        sum(t, 'deadLetters'),
      ]),
    );
  },
});

function sum(t: TopicInfo, k: 'lag' | 'pending' | 'deadLetters'): number {
  return t.groups.reduce((n, g) => n + g[k], 0);
}
