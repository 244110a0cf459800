/**
 * `sluice queue remove <queue> <id...>` removes those jobs; `--state <s> --yes` removes every job
 * in a state (not active), a page at a time, with a progress bar on a terminal.
 */
import { choiceFlag, parseCommand } from '../args.js';
import { seg, type Api } from '../client.js';
import { command } from '../command.js';
import { usage } from '../errors.js';
import { failuresExitCode, isIdFailure } from '../per-id.js';
import type { Io } from '../io.js';
import { printJson } from '../output.js';
import { startProgress } from '../progress.js';
import type { JobPage } from '../wire.js';

const REMOVABLE = ['waiting', 'delayed', 'completed', 'failed'] as const;

/** What a bulk remove did: how many went, and the ids that could not be removed (why). */
interface Outcome {
  removed: number;
  failed: { id: string; code: string; message: string }[];
}

/** Jobs asked for per page. */
const PAGE = 1000;

/** Removes each id (or each job found in `state`, a page at a time). */
async function removeAll(api: Api, io: Io, queue: string, ids: string[], state?: string) {
  const base = `/v1/queues/${seg(queue)}`;
  const out: Outcome = { removed: 0, failed: [] };
  const failed = new Set<string>();
  // A page is asked for again at the same offset until it holds nothing left to remove, then
  // the next window: what was removed leaves its set (the jobs after it move up) or, from the
  // middle of the `wait` list, a tombstone in its place (a page skips it, its offset counts it:
  // a window of tombstones is an empty page with more after it); what could not be removed
  // (it became active) stays and is passed over.
  let offset = 0;
  const page = () => api.get<JobPage>(`${base}/jobs`, { state, offset, limit: PAGE });
  let current: JobPage = state ? await page() : { total: ids.length, jobs: [] };
  const startTotal = current.total;
  let passStart = 0;
  const left = () => current.jobs.map((j) => j.id).filter((id) => !failed.has(id));
  let todo = state ? left() : ids;
  const bar = startProgress(io, `removing from ${queue}`, current.total);
  try {
    while (!io.signal.aborted) {
      for (const id of todo) {
        if (io.signal.aborted) break;
        try {
          await api.delete(`${base}/jobs/${seg(id)}`);
          out.removed++;
        } catch (err) {
          // Gone since it was listed: what remove wanted, when removing a whole state.
          // the token's problem or the server's ends the command, as anywhere else
          if (!isIdFailure(err)) throw err;
          if (!(state && err.code === 'SLC_ERR_JOB_NOT_FOUND')) {
            failed.add(id);
            out.failed.push({ id, code: err.code, message: err.message });
          }
        }
        bar.update(out.removed + out.failed.length);
      }
      if (!state) break;
      if (todo.length === 0) {
        if (offset + PAGE < current.total) offset += PAGE;
        // At the end. Workers popping the list (or promotions) may have moved jobs below the
        // offset meanwhile: a pass that removed some goes again from the start, up to as many
        // jobs as there were (jobs added since do not keep the command going).
        else if (out.removed > passStart && out.removed < startTotal) {
          offset = 0;
          passStart = out.removed;
        } else break;
      }
      current = await page();
      todo = left();
      bar.update(out.removed + out.failed.length, out.removed + current.total);
    }
  } finally {
    bar.finish();
  }
  return out;
}

export default command({
  name: 'queue remove',
  summary: 'remove jobs by id, or every job in a state (--state s --yes)',
  usage: `sluice queue remove <queue> <id...> | --state ${REMOVABLE.join('|')} --yes [--json]`,
  parse(argv) {
    const p = parseCommand(
      argv,
      { state: { type: 'string', short: 's' }, yes: { type: 'boolean', short: 'y' } },
      ['queue'],
      true,
    );
    const state = choiceFlag(p.values.state, 'state', REMOVABLE);
    const ids = p.positionals.slice(1);
    if (state && ids.length > 0) throw usage('give ids or --state, not both');
    if (!state && ids.length === 0) throw usage('missing <id...> (or --state s --yes)');
    if (state && p.values.yes !== true) throw usage(`removing every ${state} job needs --yes`);
    return { common: p.common, queue: p.positionals[0]!, ids, state };
  },
  async run(opts, io, { api }) {
    const out = await removeAll(api(), io, opts.queue, opts.ids, opts.state);
    if (opts.common.json) printJson(io, { queue: opts.queue, ...out });
    else io.stdout.write(`${out.removed}\n`);
    for (const f of out.failed) io.stderr.write(`${f.code}: ${f.message}\n`);
    if (io.signal.aborted) return 130;
    return failuresExitCode(out.failed);
  },
});
