/**
 * `--compare <git-ref>`: checks the ref out with `git worktree add --detach` into a temp dir,
 * links the shared `node_modules` into it, and removes the worktree when the run ends.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './agents.js';

export interface RefCheckout {
  ref: string;
  /** The commit the ref named (short). */
  commit: string;
  root: string;
  remove(): void;
}

function git(args: string[], cwd = REPO_ROOT): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export function checkoutRef(ref: string): RefCheckout {
  const commit = git(['rev-parse', '--short', '--verify', `${ref}^{commit}`]);
  const root = join(mkdtempSync(join(tmpdir(), 'sluice-compare-')), 'tree');
  git(['worktree', 'add', '--detach', '--quiet', root, commit]);
  symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(root, 'node_modules'), 'dir');
  let removed = false;
  return {
    ref,
    commit,
    root,
    remove() {
      if (removed) return;
      removed = true;
      spawnSync('git', ['worktree', 'remove', '--force', root], { cwd: REPO_ROOT });
      rmSync(join(root, '..'), { recursive: true, force: true });
    },
  };
}
