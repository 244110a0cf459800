/** `sluice topic info <topic>`: length, first/last position, epoch, groups with lag/pending. */
import { parseCommand } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
import { ago, printJson, printRecord, printTable } from '../output.js';
import type { TopicInfo } from '../wire.js';

export default command({
  name: 'topic info',
  summary: 'length, positions, epoch and consumer groups (lag, pending, dead letters)',
  usage: 'sluice topic info <topic> [--json]',
  parse(argv) {
    const p = parseCommand(argv, {}, ['topic']);
    return { common: p.common, topic: p.positionals[0]! };
  },
  async run(opts, io, { api }) {
    const t = await api().get<TopicInfo>(`/v1/topics/${seg(opts.topic)}`);
    if (opts.common.json) return printJson(io, t);
    printRecord(io, [
      ['topic', t.name],
      ['exists', t.exists],
      ['length', t.length],
      ['first', t.first],
      ['last', t.last],
      ['epoch', t.epoch],
      ['entries added', t.entriesAdded],
      ['expires in', t.ttlMs === null ? 'never' : ago(t.ttlMs)],
    ]);
    if (t.groups.length === 0) return;
    io.stdout.write('\n');
    printTable(
      io,
      ['GROUP', 'LAG', 'PENDING', 'OLDEST PENDING', 'DEAD', 'CONSUMERS'],
      t.groups.map((g) => [
        g.name,
        g.lag,
        g.pending,
        ago(g.oldestPendingAgeMs),
        g.deadLetters,
        g.consumers.length,
      ]),
    );
  },
});
