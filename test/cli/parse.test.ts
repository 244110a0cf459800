/** One parsing test per command: argv → options object (pure, no server). */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { findCommand } from '../../src/cli/main.js';
import { cli } from './helpers.js';

function parse(argv: string[]) {
  const { command, rest } = findCommand(argv);
  if (!command) throw new Error(`no command for ${argv.join(' ')}`);
  return command.parse(rest);
}
const common = { json: false };
const bad = (argv: string[]) => {
  try {
    parse(argv);
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'parsed';
};

describe('parsing', () => {
  it('queue ls', () => {
    expect(parse(['queue', 'ls', '--json', '--url', 'http://h:1'])).toEqual({
      common: { json: true, url: 'http://h:1' },
    });
    expect(bad(['queue', 'ls', 'extra'])).toBe('SLC_ERR_INVALID_OPTIONS');
  });
  it('a flag value that starts with a dash: one line that says how to pass it', () => {
    let message = '';
    try {
      parse(['queue', 'retry-failed', 'mail', '--chunk', '-5']);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/--chunk' argument is ambiguous.*'--chunk=-XYZ'/);
    expect(message).not.toContain('\n');
  });
  it('queue stats', () => {
    expect(parse(['queue', 'stats', 'mail'])).toEqual({ common, queue: 'mail' });
    expect(bad(['queue', 'stats'])).toBe('SLC_ERR_INVALID_OPTIONS');
  });
  it('queue schedules', () => {
    expect(parse(['queue', 'schedules', 'mail'])).toEqual({ common, queue: 'mail' });
    expect(bad(['queue', 'schedules'])).toBe('SLC_ERR_INVALID_OPTIONS');
  });
  it('queue jobs', () => {
    expect(parse(['queue', 'jobs', 'mail', '-s', 'failed', '--offset', '5', '-n', '50'])).toEqual({
      common,
      queue: 'mail',
      state: 'failed',
      offset: 5,
      limit: 50,
    });
    expect(parse(['queue', 'jobs', 'mail'])).toMatchObject({
      state: 'waiting',
      offset: 0,
      limit: 20,
    });
    expect(bad(['queue', 'jobs', 'mail', '--state', 'lost'])).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(bad(['queue', 'jobs', 'mail', '--limit', '5000'])).toBe('SLC_ERR_INVALID_OPTIONS');
  });
  it('queue job', () => {
    expect(parse(['queue', 'job', 'mail', '42'])).toEqual({ common, queue: 'mail', id: '42' });
    expect(bad(['queue', 'job', 'mail'])).toBe('SLC_ERR_INVALID_OPTIONS');
  });
  it('queue pause', () => {
    expect(parse(['queue', 'pause', 'mail'])).toEqual({ common, queue: 'mail' });
  });
  it('queue resume', () => {
    expect(parse(['queue', 'resume', 'mail', '--json'])).toEqual({
      common: { json: true },
      queue: 'mail',
    });
  });
  it('queue clear needs --yes', () => {
    expect(parse(['queue', 'clear', 'mail', '-y', '--include-failed'])).toEqual({
      common,
      queue: 'mail',
      includeFailed: true,
      includeDelayed: false,
    });
    expect(parse(['queue', 'clear', 'mail', '-y', '--include-delayed'])).toMatchObject({
      includeDelayed: true,
    });
    expect(bad(['queue', 'clear', 'mail'])).toBe('SLC_ERR_INVALID_OPTIONS');
  });
  it('queue retry-failed', () => {
    expect(parse(['queue', 'retry-failed', 'mail', 'a', 'b', '--chunk', '10'])).toEqual({
      common,
      allQueues: false,
      queue: 'mail',
      ids: ['a', 'b'],
      chunk: 10,
    });
    expect(parse(['queue', 'retry-failed', 'mail'])).toMatchObject({ ids: [], chunk: 1000 });
    expect(parse(['queue', 'retry-failed', '--all-queues'])).toMatchObject({
      allQueues: true,
      ids: [],
    });
  });
  it('queue promote', () => {
    expect(parse(['queue', 'promote', 'mail', '1', '2'])).toEqual({
      common,
      queue: 'mail',
      ids: ['1', '2'],
    });
    expect(bad(['queue', 'promote', 'mail'])).toBe('SLC_ERR_INVALID_OPTIONS');
  });
  it('queue cancel', () => {
    expect(parse(['queue', 'cancel', 'mail', '1', '2'])).toEqual({
      common,
      queue: 'mail',
      ids: ['1', '2'],
    });
    expect(bad(['queue', 'cancel', 'mail'])).toBe('SLC_ERR_INVALID_OPTIONS');
  });
  it('queue remove', () => {
    expect(parse(['queue', 'remove', 'mail', '7'])).toEqual({
      common,
      queue: 'mail',
      ids: ['7'],
      state: undefined,
    });
    expect(parse(['queue', 'remove', 'mail', '--state', 'failed', '--yes'])).toMatchObject({
      ids: [],
      state: 'failed',
    });
    expect(bad(['queue', 'remove', 'mail', '--state', 'failed'])).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(bad(['queue', 'remove', 'mail', '--state', 'active', '-y'])).toBe(
      'SLC_ERR_INVALID_OPTIONS',
    );
    expect(bad(['queue', 'remove', 'mail'])).toBe('SLC_ERR_INVALID_OPTIONS');
  });
  it('topic ls', () => {
    expect(parse(['topic', 'ls', '--token-file', '/t'])).toEqual({
      common: { json: false, tokenFile: '/t' },
    });
  });
  it('topic info', () => {
    expect(parse(['topic', 'info', 'chat'])).toEqual({ common, topic: 'chat' });
  });
  it('topic tail', () => {
    expect(parse(['topic', 'tail', 'chat'])).toEqual({
      common,
      topic: 'chat',
      after: undefined,
      limit: Infinity,
    });
    expect(parse(['topic', 'tail', 'chat', '--from-start', '-n', '3'])).toMatchObject({
      after: '0',
      limit: 3,
    });
    expect(bad(['topic', 'tail', 'chat', '--from-start', '--after', 'x'])).toBe(
      'SLC_ERR_INVALID_OPTIONS',
    );
  });
  it('topic range', () => {
    expect(
      parse(['topic', 'range', 'chat', '--after', 'e:1-0', '--limit', '10', '--page', '5']),
    ).toEqual({
      common,
      topic: 'chat',
      after: 'e:1-0',
      limit: 10,
      page: 5,
    });
    expect(parse(['topic', 'range', 'chat'])).toMatchObject({
      after: '0',
      limit: Infinity,
      page: 1000,
    });
  });
  it('topic publish', () => {
    expect(parse(['topic', 'publish', 'chat', '{"a":1}', '-k', 'k1'])).toEqual({
      common,
      topic: 'chat',
      data: '{"a":1}',
      idempotencyKey: 'k1',
    });
    expect(bad(['topic', 'publish', 'chat'])).toBe('SLC_ERR_INVALID_OPTIONS');
  });
  it('token mint (and bare `token`)', () => {
    expect(parse(['token', 'mint', '--role', 'viewer', '--ttl', '15m', '--sub', 'ops'])).toEqual({
      common,
      secretFile: undefined,
      ttlSeconds: 900,
      role: 'viewer',
      sub: 'ops',
    });
    expect(parse(['token', '--topics', 'chat:*,runs', '--publish', 'true'])).toMatchObject({
      topics: ['chat:*', 'runs'],
      publish: true,
      ttlSeconds: 3600,
    });
    expect(bad(['token', 'mint'])).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(bad(['token', 'mint', '--role', 'root'])).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(bad(['token', 'mint', '--role', 'admin', '--ttl', 'soon'])).toBe(
      'SLC_ERR_INVALID_OPTIONS',
    );
    // an expiry no Date holds: refused when minted, not a failed check later
    expect(bad(['token', 'mint', '--role', 'admin', '--ttl', '99999999999d'])).toBe(
      'SLC_ERR_INVALID_OPTIONS',
    );
    expect(parse(['token', 'mint', '--role', 'admin', '--ttl', '36500d'])).toMatchObject({
      ttlSeconds: 36500 * 86400,
    });
  });
  it('token check', () => {
    expect(parse(['token', 'check', '-', '--secret-file', '/s'])).toEqual({
      common,
      stdin: true,
      secretFile: '/s',
    });
  });
  it('top', () => {
    expect(parse(['top', '--interval', '250', '--once'])).toEqual({
      common,
      intervalMs: 250,
      once: true,
    });
    expect(bad(['top', '--interval', '5'])).toBe('SLC_ERR_INVALID_OPTIONS');
  });

  it('server', () => {
    expect(
      parse([
        'server',
        '--redis-url',
        'redis://r:1',
        '--port',
        '0',
        '--host',
        '0.0.0.0',
        '--secret-file',
        '/s',
      ]),
    ).toEqual({
      common,
      flags: { redisUrl: 'redis://r:1', port: 0, host: '0.0.0.0', secretFile: '/s' },
    });
    expect(bad(['server', '--port', '70000'])).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(bad(['server', '--secret', 'x'])).toBe('SLC_ERR_INVALID_OPTIONS');
  });

  it('refuses secrets on argv, in every form', () => {
    for (const argv of [
      ['queue', 'ls', '--token', 'abc'],
      ['queue', 'ls', '--token=abc'],
      ['token', 'mint', '--role', 'admin', '--secret', 's'],
    ]) {
      expect(() => parse(argv)).toThrow(/secrets never go on the command line/);
    }
  });

  it('has a parsing test for every command', () => {
    expect(COMMANDS.map((c) => c.name).sort()).toEqual(
      [
        'queue ls',
        'queue stats',
        'queue jobs',
        'queue job',
        'queue pause',
        'queue resume',
        'queue clear',
        'queue retry-failed',
        'queue promote',
        'queue cancel',
        'queue remove',
        'queue schedules',
        'topic ls',
        'topic info',
        'topic tail',
        'topic range',
        'topic publish',
        'token mint',
        'token check',
        'top',
        'server',
        'db migrate',
      ].sort(),
    );
  });
});

describe('help', () => {
  it('a group alone or with --help lists its commands; each command has its own', async () => {
    const queue = await cli(['queue', '--help']);
    expect(queue.code).toBe(0);
    for (const name of ['queue ls', 'queue remove', 'queue cancel'])
      expect(queue.out).toContain(`sluice ${name}`);
    expect(queue.out).not.toContain('sluice topic');
    const bare = await cli(['topic']);
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('sluice topic tail');
    const one = await cli(['queue', 'remove', '--help']);
    expect(one).toMatchObject({ code: 0 });
    expect(one.out).toMatch(/^usage: sluice queue remove /);
    expect((await cli(['nope', '--help'])).code).toBe(2);
  });
});
