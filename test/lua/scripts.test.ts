/**
 * Every Lua script's header tells the truth (STYLE: one file per operation, header = KEYS / ARGV /
 * Returns): every `KEYS[n]` / `ARGV[n]` the body reads is
 * declared in the header and every declared one is read; and no `redis.call` gets a key built by
 * concatenation inside the script (every key arrives in KEYS, as Redis Cluster requires).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LUA = fileURLToPath(new URL('../../src/lua/', import.meta.url));
/** Script files, relative to src/lua (in area folders: queue/jobs, stream, …), includes apart. */
function luaFiles(dir: string): string[] {
  return readdirSync(join(LUA, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? luaFiles(join(dir, e.name))
      : e.name.endsWith('.lua')
        ? [join(dir, e.name)]
        : [],
  );
}
const scripts = luaFiles('')
  .filter((f) => !f.startsWith('includes'))
  .sort();
const includes = readdirSync(join(LUA, 'includes')).filter((f) => f.endsWith('.lua'));

interface Declared {
  numbered: Set<number>;
  /** A trailing `n…` entry (or a `then …` description): any index from `from` on. */
  from: number | undefined;
}

function section(header: string, name: 'KEYS' | 'ARGV'): Declared {
  const start = header.search(new RegExp(`^  ${name}$`, 'm'));
  const rest = header.slice(start + name.length + 3);
  const end = rest.search(/^ {2}[A-Z]\w*$/m);
  const lines = (end < 0 ? rest : rest.slice(0, end)).split('\n');
  const numbered = new Set<number>();
  let from: number | undefined;
  for (const line of lines) {
    const m = /^\s{3,}(\d+)(…)?\s/.exec(line);
    if (m) {
      if (m[2]) from = Number(m[1]);
      else numbered.add(Number(m[1]));
    } else if (/^\s{3,}then /.test(line)) from = Math.max(...numbered) + 1;
  }
  return { numbered, from };
}

function used(body: string, name: 'KEYS' | 'ARGV'): Set<number> {
  return new Set(
    [...body.matchAll(new RegExp(`${name}\\[(\\d+)\\]`, 'g'))].map((m) => Number(m[1])),
  );
}

describe('Lua scripts', () => {
  it('are all here (queue and stream)', () => {
    expect(scripts).toEqual(
      expect.arrayContaining([
        'queue/jobs/add.lua',
        'queue/jobs/complete.lua',
        'stream/stream_publish.lua',
      ]),
    );
  });

  it.each(scripts)('%s: header and body agree on KEYS and ARGV', (file) => {
    const src = readFileSync(join(LUA, file), 'utf8');
    const open = src.indexOf('--[[');
    const close = src.indexOf(']]');
    expect(open, 'a --[[ header ]]').toBe(0);
    const header = src.slice(open, close);
    const body = src.slice(close + 2);
    expect(header).toMatch(new RegExp(`^--\\[\\[\\n  ${basename(file, '.lua')}: `));
    for (const part of ['KEYS', 'ARGV', 'Returns'])
      expect(header).toMatch(new RegExp(`^  ${part}`, 'm'));
    for (const name of ['KEYS', 'ARGV'] as const) {
      const declared = section(header, name);
      const reads = used(body, name);
      for (const n of reads)
        expect(
          declared.numbered.has(n) || (declared.from !== undefined && n >= declared.from),
          `${name}[${n}] is read but not declared`,
        ).toBe(true);
      const variadic = new RegExp(`(unpack\\(${name}\\)|#${name}\\b|${name}\\[[a-z])`).test(body);
      for (const n of declared.numbered)
        expect(reads.has(n) || variadic, `${name} ${n} is declared but never read`).toBe(true);
    }
  });

  it.each([...scripts, ...includes.map((f) => join('includes', f))])(
    '%s: no key is assembled inside the script',
    (file) => {
      const src = readFileSync(join(LUA, file), 'utf8');
      for (const m of src.matchAll(/redis\.call\(\s*'(\w+)'\s*,\s*([^,)]+)/g))
        expect(m[2], `${m[1]} on a key built in the script`).not.toContain('..');
    },
  );
});
