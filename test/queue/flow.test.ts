/** Flows on the shared single Redis server (see `flow.cases.ts`). */
import { describe, expect, it } from 'vitest';
import { FlowProducer } from '../../src/index.js';
import { redisUrl, uniquePrefix } from '../harness/context.js';
import { caught } from './helpers.js';
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
});
