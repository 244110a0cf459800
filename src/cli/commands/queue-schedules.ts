/** `sluice queue schedules <queue>`: the queue's schedules with their pending ticks. */
import { parseCommand } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
import { compact, isoTime, printJson, printTable } from '../output.js';

/** One schedule as `GET /v1/queues/{q}/schedules` returns it. */
interface ScheduleWire {
  key: string;
  cron?: string;
  everyMs?: number;
  tz?: string;
  name: string;
  data: unknown;
  catchUp: 'one' | 'none';
  next: number;
}

export default command({
  name: 'queue schedules',
  summary: 'the schedules of a queue (cron or interval, next tick)',
  usage: 'sluice queue schedules <queue> [--json]',
  parse(argv) {
    const p = parseCommand(argv, {}, ['queue']);
    return { common: p.common, queue: p.positionals[0]! };
  },
  async run(opts, io, { api }) {
    const { schedules } = await api().get<{ schedules: ScheduleWire[] }>(
      `/v1/queues/${seg(opts.queue)}/schedules`,
    );
    if (opts.common.json) return printJson(io, schedules);
    printTable(
      io,
      ['KEY', 'EVERY', 'TZ', 'JOB', 'CATCH-UP', 'NEXT', 'DATA'],
      schedules.map((s) => [
        s.key,
        s.cron ?? `${s.everyMs} ms`,
        s.tz ?? (s.cron ? 'UTC' : '-'),
        s.name,
        s.catchUp,
        isoTime(s.next),
        compact(s.data),
      ]),
    );
  },
});
