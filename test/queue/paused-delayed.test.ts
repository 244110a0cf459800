/**
 * A paused queue hands out nothing, but its workers still move due delayed jobs to waiting (on
 * the delay timer, not on the idle wake-up), so counts tell the truth while paused.
 */
import { expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

const h = useHarness();

it('a paused queue moves a due delayed job to waiting promptly, and runs nothing', async () => {
  const q = h().queue('pd');
  const ran: string[] = [];
  // the idle wake-up is far away: only the delay timer can promote in time
  h().worker('pd', (job) => void ran.push(job.id), { idleWakeMs: 600_000 });
  await q.pause();
  await sleep(100);
  const { id } = await q.add('later', {}, { delay: 300 });
  expect((await q.stats()).delayed).toBe(1);
  await waitFor(async () => (await q.stats()).waiting === 1, 'due job moved to waiting', 2_000);
  const s = await q.stats();
  expect(s.delayed).toBe(0);
  expect(s.active).toBe(0);
  expect(ran).toEqual([]);
  await q.resume();
  await waitFor(() => ran.length === 1, 'runs after resume');
  expect(ran).toEqual([id]);
});
