/**
 * `sluice db migrate`: creates or upgrades the outbox and archive tables (`migrate` of
 * `sluice/outbox`). The database URL may carry a password, so it comes from `DATABASE_URL` or a
 * file (`--database-url-file`), never from argv.
 */
import pg from 'pg';
import { ConfigError } from '../../index.js';
import { migrate } from '../../outbox/index.js';
import { parseCommand, strFlag } from '../args.js';
import { command } from '../command.js';
import type { Env } from '../config.js';
import type { Io } from '../io.js';
import { printJson, printRecord } from '../output.js';

/** The database URL: the file's contents (trimmed) if given, else `DATABASE_URL`. */
export async function readDatabaseUrl(file: string | undefined, env: Env, io: Io) {
  let url: string | undefined;
  if (file !== undefined) {
    try {
      url = (await io.readFile(file)).trim();
    } catch (err) {
      throw new ConfigError([
        `cannot read the database URL file ${file}: ${(err as Error).message}`,
      ]);
    }
  } else url = env.DATABASE_URL;
  if (!url)
    throw new ConfigError(['no database: set DATABASE_URL or pass --database-url-file <path>']);
  if (!/^postgres(ql)?:\/\/./.test(url))
    throw new ConfigError(['the database URL must be a postgres:// or postgresql:// URL']);
  return url;
}

export default command({
  name: 'db migrate',
  summary: 'create or upgrade the outbox and archive tables in PostgreSQL',
  usage: 'sluice db migrate [--database-url-file path] [--schema name] [--json]',
  parse(argv) {
    const flags = {
      'database-url-file': { type: 'string' },
      schema: { type: 'string' },
    } as const;
    const p = parseCommand(argv, flags, []);
    return {
      common: p.common,
      urlFile: strFlag(p.values['database-url-file']),
      schema: strFlag(p.values.schema),
    };
  },
  async run(opts, io, { env }) {
    const url = await readDatabaseUrl(opts.urlFile, env, io);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    pool.on('error', () => {}); // a dropped idle session: the query in flight reports
    try {
      const r = await migrate(pool, opts.schema === undefined ? {} : { schema: opts.schema });
      if (opts.common.json) printJson(io, r);
      else
        printRecord(io, [
          ['version', r.version],
          ['applied', r.applied.length > 0 ? r.applied.join(', ') : 'none (up to date)'],
        ]);
    } finally {
      await pool.end();
    }
  },
});
