/**
 * close(0) while handlers are finishing: results already in hand are recorded or the jobs go back
 * to waiting, nothing stays active, and close resolves. (A connection closed under a pending ack
 * once made the fetch loop spin without yielding.)
 */
import { expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

const harness = useHarness();

it('close(0) racing with finishing handlers loses nothing and returns', async () => {
  const h = harness();
  for (let round = 0; round < 15; round++) {
    const queue = h.queue(`race${round}`);
    await queue.addBulk(Array.from({ length: 40 }, (_, i) => ({ data: i })));
    const worker = h.worker(`race${round}`, async () => sleep(Math.random() * 4), {
      concurrency: 40,
      autorun: false,
    });
    let closing: Promise<void> | undefined;
    worker.on('completed', () => {
      closing ??= worker.close(0);
    });
    worker.run();
    await waitFor(() => closing !== undefined, 'close to start');
    await closing;
    await sleep(10); // handlers released at close finish now; they must record nothing
    const stats = await queue.stats();
    expect(stats.active).toBe(0);
    expect(stats.completed + stats.waiting).toBe(40);
    expect(stats.totals.completed).toBe(stats.completed);
  }
});
