/** Flows on the shared single Redis server (see `flow.cases.ts`). */
import { describe, expect, it } from 'vitest';
import { FlowProducer, FlowRelay, Queue, type ValidationError } from '../../src/index.js';
import { redisUrl, uniquePrefix } from '../harness/context.js';
import { caught, expectOptionProblems } from './helpers.js';
import { flowCases } from './flow.cases.js';

flowCases(redisUrl);

describe('FlowProducer validation', () => {
  it('rejects the whole tree before sending anything', async () => {
    const flows = new FlowProducer({ connection: redisUrl(), prefix: uniquePrefix() });
    const err = await caught(() =>
      flows.add({
        queue: 'v',
        name: 'p',
        onChildFailure: 'maybe' as 'fail',
        children: [
          { queue: 'v', name: 'c', opts: { id: 'x' } },
          { queue: 'v', name: 'c', opts: { id: 'x' } },
        ],
      }),
    );
    await flows.close();
    expect(err.code).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(err.message).toMatch(/onChildFailure/);
  });

  it('checks its own options as Queue does', async () => {
    for (const bad of [null, { prefx: 'x' }, { prefix: 'a {b}' }, { maxPayloadBytes: NaN }])
      expect(await caught(async () => new FlowProducer(bad as never))).toMatchObject({
        code: 'SLC_ERR_INVALID_OPTIONS',
      });
  });

  it('FlowRelay checks its options too: names, types, bounds', async () => {
    const bad: [unknown, RegExp][] = [
      [null, /must be an object/],
      [{ intervalMS: 50 }, /unknown option intervalMS/],
      [{ intervalMs: 0 }, /^intervalMs must be an integer from 1/],
      [{ intervalMs: NaN }, /^intervalMs/],
      [{ prefix: 'a {b}' }, /prefix/],
      [{ onError: 'log' }, /^onError must be a function/],
      [{ connectionRetry: { attempts: 0 } }, /^connectionRetry\.attempts/],
    ];
    await expectOptionProblems((o) => new FlowRelay('v', o as never), bad);
    // every problem in the one error, the retry budget's among them
    const both = await caught(
      async () => new FlowRelay('v', { intervalMs: 0, connectionRetry: { attempts: 0 } }),
    );
    expect((both as ValidationError).problems).toHaveLength(2);
  });

  it('refuses a hole among the children and a tree that never ends, sending nothing', async () => {
    const prefix = uniquePrefix();
    const flows = new FlowProducer({ connection: redisUrl(), prefix });
    // eslint-disable-next-line no-sparse-arrays
    const holed = { queue: 'v', name: 'p', children: [, { queue: 'v', name: 'c' }] };
    const cyclic: { queue: string; name: string; children: unknown[] } = {
      queue: 'v',
      name: 'loop',
      children: [],
    };
    cyclic.children.push(cyclic);
    for (const flow of [holed, cyclic])
      expect(await caught(() => flows.add(flow as never))).toMatchObject({
        code: 'SLC_ERR_INVALID_OPTIONS',
      });
    await flows.close();
    const q = new Queue('v', { connection: redisUrl(), prefix });
    expect((await q.stats()).waiting).toBe(0);
    await q.close();
  });
});
