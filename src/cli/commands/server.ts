/**
 * `sluice server`: the Sluice server (`createServer` from `sluice/server`) in this process, with
 * flags over the same environment and config file as `npm start` (docs/configuration.md). The
 * first stdout line is the URL; Ctrl-C / SIGTERM close it cleanly (exit 0). Unlike `npm start`
 * it starts no Redis of its own and no demo workload: it is the production process.
 */
import { createServer, loadConfig, type ConfigFlags } from '../../server/index.js';
import { intFlag, parseCommand, strFlag } from '../args.js';
import { command } from '../command.js';

const FLAGS = {
  'redis-url': 'redisUrl',
  prefix: 'prefix',
  host: 'host',
  'secret-file': 'secretFile',
  'log-level': 'logLevel',
  config: 'config',
} as const;

export default command({
  name: 'server',
  summary: 'run the server (HTTP API, gateway, metrics, dashboard) in this process',
  usage:
    'sluice server [--redis-url url] [--prefix p] [--host h] [--port n] [--secret-file path] [--log-level l] [--config file.json]',
  parse(argv) {
    const p = parseCommand(
      argv,
      {
        ...Object.fromEntries(Object.keys(FLAGS).map((k) => [k, { type: 'string' as const }])),
        port: { type: 'string' },
      },
      [],
    );
    const flags: ConfigFlags = {};
    for (const [flag, key] of Object.entries(FLAGS)) {
      const v = strFlag(p.values[flag]);
      if (v !== undefined) flags[key] = v;
    }
    if (p.values.port !== undefined) flags.port = intFlag(p.values.port, 'port', 0, 0, 65535);
    return { common: p.common, flags };
  },
  async run(opts, io, { env }) {
    const config = loadConfig(opts.flags, env);
    const server = await createServer({ config });
    try {
      // the server's first log line says it when there is no secret (as `npm start` does)
      if (!config.secret)
        server.app.log.warn(
          `no SLUICE_SECRET set: binding to ${config.host} only; every caller is an admin`,
        );
      const url = await server.listen();
      io.stdout.write(`Sluice is running: open ${url}\n`);
      await new Promise<void>((resolve) => {
        if (io.signal.aborted) return resolve();
        io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      await server.close();
    }
    return 0;
  },
});
