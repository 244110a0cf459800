/** `sluice queue job` shows the job fields of issue 13, as the library reads them. */
import { describe, expect, it } from 'vitest';
import { Worker } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { cli, useCliServer } from './helpers.js';

const server = useCliServer();

describe('queue job fields', () => {
  it('shows attempts started, processed/finished times, progress, error and logs', async () => {
    const s = server();
    const q = s.queue('mail');
    await q.add('send', { to: 'a' }, { id: 'j1', maxAttempts: 1 });
    const lib = { connection: s.config.redisUrl, prefix: s.config.prefix };
    const w = new Worker(
      'mail',
      async (job) => {
        await job.progress({ sent: 3 });
        await job.log('connecting');
        await job.log('refused');
        throw new Error('smtp 421');
      },
      lib,
    );
    w.on('error', () => {});
    await waitFor(async () => (await q.getJob('j1'))?.state === 'failed', 'failed job');
    await w.close();
    const job = (await q.getJob('j1'))!;
    const r = await cli(['queue', 'job', 'mail', 'j1', '--url', s.url]);
    expect(r.code).toBe(0);
    const iso = (ms: number | undefined) => new Date(ms!).toISOString();
    expect(r.out).toContain('attempts\t1\n');
    expect(r.out).toContain('attempts started\t1\n');
    expect(r.out).toContain(`processed\t${iso(job.processedOn)}\n`);
    expect(r.out).toContain(`finished\t${iso(job.finishedOn)}\n`);
    expect(r.out).toContain('progress\t{"sent":3}\n');
    expect(r.out).toContain('error\tsmtp 421\n');
    expect(r.out).toMatch(/\nlogs\n {2}connecting\n {2}refused\n$/);
    const json = await cli(['queue', 'job', 'mail', 'j1', '--json', '--url', s.url]);
    expect(JSON.parse(json.out)).toMatchObject({
      attemptsStarted: 1,
      processedOn: job.processedOn,
      finishedOn: job.finishedOn,
      progress: { sent: 3 },
      logs: ['connecting', 'refused'],
    });
  });
});
