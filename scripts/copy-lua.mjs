// tsc copies no .lua or .sql files; the script loader and `migrate` read them next to the code.
// The targets are replaced, not merged into: a file moved or removed in src must not stay behind
// in dist (a stale copy of a moved script is a second script of that name, which the loader
// refuses).
import { cpSync, rmSync } from 'node:fs';
for (const [from, to] of [
  ['src/lua', 'dist/lua'],
  ['src/outbox/migrations', 'dist/outbox/migrations'],
]) {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}
