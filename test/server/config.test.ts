/** The configuration resolver: precedence, defaults, the loopback rule, one error for all. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { GATEWAY_DEFAULTS, gatewayOptions } from '../../src/server/gateway/options.js';
import { loadConfig, resolveConfig } from '../../src/server/index.js';
import { DEFAULT_REDIS_URL } from '../../src/server/config.js';

const SECRET = 's'.repeat(32);

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('SLC_ERR_CONFIG');
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('has defaults: loopback, port 7700, prefix sluice, auth off', () => {
    expect(resolveConfig({}, {})).toEqual({
      redisUrl: DEFAULT_REDIS_URL, // a default only: no test connects to it
      prefix: 'sluice',
      host: '127.0.0.1',
      port: 7700,
      logLevel: 'info',
      demo: false,
      metricsTopicLabels: false,
      relay: false,
    });
  });

  it('takes flags over environment over file', () => {
    const file = JSON.stringify({
      port: 1111,
      prefix: 'file',
      logLevel: 'warn',
      redisUrl: 'redis://f:1',
    });
    const env = { PORT: '2222', SLUICE_PREFIX: 'env' };
    const c = resolveConfig({ port: 3333 }, env, { config: file });
    expect(c.port).toBe(3333);
    expect(c.prefix).toBe('env');
    expect(c.logLevel).toBe('warn');
    expect(c.redisUrl).toBe('redis://f:1');
    expect(resolveConfig({}, env, { config: file }).port).toBe(2222);
    expect(resolveConfig({}, {}, { config: file }).port).toBe(1111);
  });

  it('reads every documented variable', () => {
    const c = resolveConfig(
      {},
      {
        REDIS_URL: 'rediss://:pw@r.example:6380/2',
        SLUICE_SECRET: SECRET,
        PORT: '0',
        HOST: '0.0.0.0',
        SLUICE_PREFIX: 'app:1',
        LOG_LEVEL: 'debug',
        SLUICE_CONFIG: '/etc/sluice.json',
        SLUICE_DEMO: '1',
        SLUICE_METRICS_TOPIC_LABELS: 'true',
        DATABASE_URL: 'postgres://u:pw@db.example/app',
        SLUICE_RELAY: 'yes',
      },
      { config: '{}' },
    );
    expect(c).toEqual({
      redisUrl: 'rediss://:pw@r.example:6380/2',
      secret: SECRET,
      port: 0,
      host: '0.0.0.0',
      prefix: 'app:1',
      logLevel: 'debug',
      configFile: '/etc/sluice.json',
      demo: true,
      metricsTopicLabels: true,
      databaseUrl: 'postgres://u:pw@db.example/app',
      relay: true,
    });
  });

  it('needs a database for the relay, and a postgres URL', () => {
    expect(problemsOf(() => resolveConfig({ relay: true }, {}))).toEqual([
      'relay needs a database: set DATABASE_URL (or databaseUrl in the config file)',
    ]);
    expect(problemsOf(() => resolveConfig({}, { DATABASE_URL: 'mysql://x' }))).toEqual([
      'databaseUrl must be a postgres:// or postgresql:// URL',
    ]);
    const c = resolveConfig({}, {}, { config: '{"databaseUrl":"postgresql://h/db"}' });
    expect(c.databaseUrl).toBe('postgresql://h/db');
    expect(c.relay).toBe(false);
  });

  it('binds to all interfaces by default only with a secret', () => {
    expect(resolveConfig({}, { SLUICE_SECRET: SECRET }).host).toBe('0.0.0.0');
    expect(resolveConfig({}, {}).host).toBe('127.0.0.1');
    expect(resolveConfig({ host: 'localhost' }, {}).host).toBe('localhost');
  });

  it('refuses a non-loopback host without a secret', () => {
    expect(problemsOf(() => resolveConfig({ host: '0.0.0.0' }, {}))).toEqual([
      'host 0.0.0.0 needs a secret: without SLUICE_SECRET the server binds to 127.0.0.1 only',
    ]);
  });

  it('lists every problem in one error, and never the Redis password', () => {
    const problems = problemsOf(() =>
      resolveConfig(
        { port: 'eighty', logLevel: 'loud', demo: 'maybe' },
        { REDIS_URL: 'http://user:hunter2@x', SLUICE_PREFIX: 'a b', SLUICE_SECRET: 'short' },
        { config: '{"port": 1, "colour": "red"}' },
      ),
    );
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems).toEqual(
      expect.arrayContaining([
        'config file: unknown key "colour"',
        'redisUrl must be a redis:// or rediss:// URL',
        'port must be an integer 0–65535, not "eighty"',
        'the secret must be at least 32 characters',
      ]),
    );
  });

  it('reports a config file that is not JSON', () => {
    expect(problemsOf(() => resolveConfig({}, {}, { config: '{port:' }))[0]).toMatch(
      /^config file is not valid JSON/,
    );
  });

  it('takes the secret from a file, and refuses both ways at once', () => {
    expect(
      resolveConfig({}, { SLUICE_SECRET_FILE: '/run/secret' }, { secret: `${SECRET}\n` }).secret,
    ).toBe(SECRET);
    expect(
      problemsOf(() =>
        resolveConfig({}, { SLUICE_SECRET: SECRET, SLUICE_SECRET_FILE: '/x' }, { secret: SECRET }),
      ),
    ).toEqual(['set either SLUICE_SECRET or SLUICE_SECRET_FILE, not both']);
  });
});

describe('the gateway block', () => {
  it('is taken from the config file and reaches the gateway', () => {
    const block = { heartbeatMs: 5000, maxSubscriptions: 7, ephemeralPrefixes: ['live:'] };
    const config = resolveConfig({}, {}, { config: JSON.stringify({ gateway: block }) });
    expect(config.gateway).toEqual(block);
    expect(gatewayOptions(config)).toMatchObject({
      ...block,
      retryMs: GATEWAY_DEFAULTS.retryMs,
    });
  });

  it('lists every bad setting in the one error, with the other problems', () => {
    const gateway = {
      heartbeatMs: 1.5,
      maxBufferedMessages: 0,
      deadPeerMs: '30000',
      ephemeralPrefixes: ['ok:', ''],
      pingMs: 10,
    };
    const problems = problemsOf(() =>
      resolveConfig({}, {}, { config: JSON.stringify({ port: 'x', gateway }) }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'port must be an integer 0–65535, not "x"',
        'gateway.heartbeatMs must be an integer 1–2,147,483,647, not 1.5',
        'gateway.maxBufferedMessages must be an integer 1–1,000,000, not 0',
        'gateway.deadPeerMs must be an integer 1–2,147,483,647, not "30000"',
        'gateway.ephemeralPrefixes must be an array of non-empty strings',
        'gateway: unknown key "pingMs"',
      ]),
    );
    expect(problems).toHaveLength(6);
    expect(problemsOf(() => resolveConfig({}, {}, { config: '{"gateway":[1]}' }))).toEqual([
      'gateway must be an object',
    ]);
  });
});

describe('loadConfig', () => {
  it('reads the config and secret files it is pointed at', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
    writeFileSync(join(dir, 'secret'), SECRET);
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({ port: 9001, secretFile: join(dir, 'secret') }),
    );
    const c = loadConfig({}, { SLUICE_CONFIG: join(dir, 'c.json') });
    expect(c).toMatchObject({ port: 9001, secret: SECRET, host: '0.0.0.0' });
  });

  it('names a file it cannot read, with the other problems', () => {
    const problems = problemsOf(() =>
      loadConfig({ config: '/nonexistent/sluice.json' }, { PORT: '-1' }),
    );
    expect(problems).toEqual([
      'config file /nonexistent/sluice.json could not be read (ENOENT)',
      'port must be an integer 0–65535, not "-1"',
    ]);
  });
});
