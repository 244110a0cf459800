/**
 * The build's copy of the Lua scripts replaces `dist/lua`, not merges into it: a script moved
 * to another folder in `src/lua` must not stay behind at its old place in `dist` (the loader
 * refuses two scripts of one name, so a stale copy would break every Queue of that build).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sluice-copy-lua-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('leaves no stale script in dist/lua', () => {
  cpSync(join(ROOT, 'src/lua'), join(dir, 'src/lua'), { recursive: true });
  cpSync(join(ROOT, 'src/outbox/migrations'), join(dir, 'src/outbox/migrations'), {
    recursive: true,
  });
  mkdirSync(join(dir, 'dist/lua'), { recursive: true });
  writeFileSync(join(dir, 'dist/lua/add.lua'), '-- the flat layout of an older build');
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/copy-lua.mjs')], {
    cwd: dir,
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  expect(existsSync(join(dir, 'dist/lua/add.lua'))).toBe(false);
  expect(existsSync(join(dir, 'dist/lua/queue/jobs/add.lua'))).toBe(true);
  expect(existsSync(join(dir, 'dist/outbox/migrations'))).toBe(true);
});
