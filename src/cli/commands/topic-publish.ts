/** `sluice topic publish <topic> <json|->`: publish one entry (JSON data, `-` reads stdin). */
import { parseCommand, strFlag } from '../args.js';
import { seg } from '../client.js';
import { command } from '../command.js';
import { usage } from '../errors.js';
import { printJson } from '../output.js';

/** Parses the entry's data: JSON text (a bare word that is not JSON is sent as a string). */
export function parseData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // Meant as a JSON object but broken: a typo, not text to send (`[WARN] …` is text).
    if (/^\s*\{/.test(text)) throw usage(`the data is not valid JSON (${(err as Error).message})`);
    return text; // a bare word is sent as a string
  }
}

export default command({
  name: 'topic publish',
  summary: 'publish one entry (data as JSON; - reads it from stdin)',
  usage: 'sluice topic publish <topic> <data|-> [--idempotency-key k] [--json]',
  parse(argv) {
    const p = parseCommand(argv, { 'idempotency-key': { type: 'string', short: 'k' } }, [
      'topic',
      'data',
    ]);
    const key = strFlag(p.values['idempotency-key']);
    if (key === '') throw usage('--idempotency-key must not be empty');
    return {
      common: p.common,
      topic: p.positionals[0]!,
      data: p.positionals[1]!,
      ...(key ? { idempotencyKey: key } : {}),
    };
  },
  async run(opts, io, { api }) {
    const text = opts.data === '-' ? (await io.readStdin()).trim() : opts.data;
    const out = await api().post<{ position: string; duplicate: boolean }>(
      `/v1/topics/${seg(opts.topic)}`,
      {
        data: parseData(text),
        ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
      },
    );
    if (opts.common.json) return printJson(io, out);
    io.stdout.write(`${out.position}\n`);
    if (out.duplicate) io.stderr.write('duplicate: the idempotency key was seen; first position\n');
  },
});
