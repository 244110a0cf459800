/**
 * `--compare <git-ref>`: the same Sluice adapter over the build checked out at that ref. The
 * harness checks it out into a temp dir (`lib/compare.ts`) and names it in
 * `BENCH_COMPARE_ROOT`, which every agent inherits; the ref's `src/index.ts` is imported from
 * there (tsx compiles it), its dependencies from the shared `node_modules` (a symlink).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sluiceContender, type SluiceLibrary } from './sluice-adapter.js';
import type { Contender } from './types.js';

export async function loadSluiceRef(): Promise<Contender> {
  const root = process.env.BENCH_COMPARE_ROOT;
  if (!root) throw new Error('sluice-ref needs --compare <git-ref> (BENCH_COMPARE_ROOT unset)');
  const lib = (await import(pathToFileURL(join(root, 'src', 'index.ts')).href)) as SluiceLibrary;
  return sluiceContender('sluice-ref', `Sluice @${process.env.BENCH_COMPARE_REF ?? 'ref'}`, lib);
}
