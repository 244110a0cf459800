/**
 * Layers point one way (STYLE 7): redis → queue, stream → index. Shared modules at the top of
 * src/ (errors, validate, periodic) import only redis. No import cycles, and the library never
 * imports tests, benches or scripts.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** All imports, types included (for layering). */
const graph = new Map<string, string[]>();
/** Imports that exist at run time (`import type` is erased, so it cannot make a cycle). */
const runtime = new Map<string, string[]>();
for (const file of files(SRC)) {
  const src = readFileSync(file, 'utf8');
  const deps = (type: boolean) =>
    [...src.matchAll(/^(import|export)( type)?[^'"]*from '(\.[^']+)'/gm)]
      .filter((m) => type || !m[2])
      .map((m) => relative(SRC, resolve(dirname(file), m[3]!.replace(/\.js$/, '.ts'))));
  graph.set(relative(SRC, file), deps(true));
  runtime.set(relative(SRC, file), deps(false));
}

const layer = (f: string) => (f.includes('/') ? f.split('/')[0]! : 'shared');
const allowed: Record<string, string[]> = {
  redis: ['redis', 'shared'],
  shared: ['shared', 'redis'],
  queue: ['queue', 'redis', 'shared'],
  stream: ['stream', 'redis', 'shared'],
  compat: ['compat', 'queue', 'shared'],
};
/** The faces above the library (server, CLI, dev tooling) see only its public entry. */
const faces: Record<string, string[]> = {
  server: ['server', 'dev'],
  cli: ['cli', 'server', 'dev'],
  dev: ['dev'],
  outbox: ['outbox'],
};
/** Public entries a face may import besides `index.ts`: `sluice/outbox`'s (server and CLI). */
const entries: Record<string, string[]> = {
  server: ['outbox/index.ts'],
  cli: ['outbox/index.ts'],
};
/** Packages only the faces may use: the core library stays free of HTTP and PostgreSQL dependencies. */
const faceOnlyPackages = /^(fastify|@fastify\/|jose|prom-client|ws|@sinclair\/typebox|pg)/;

it('reads the whole library', () => {
  expect(graph.size).toBeGreaterThan(30);
  expect(graph.get('index.ts')).toEqual(
    expect.arrayContaining(['queue/queue.ts', 'stream/streams.ts']),
  );
});

it('imports only downward: queue and stream never import each other', () => {
  const wrong: string[] = [];
  for (const [file, deps] of graph) {
    if (file === 'index.ts') continue;
    const face = faces[layer(file)];
    for (const dep of deps) {
      if (dep.startsWith('..')) wrong.push(`${file} → ${dep} (outside src/)`);
      else if (face) {
        const entry = dep === 'index.ts' || entries[layer(file)]?.includes(dep) === true;
        if (!entry && !face.includes(layer(dep))) wrong.push(`${file} → ${dep}`);
      } else if (!allowed[layer(file)]!.includes(layer(dep))) wrong.push(`${file} → ${dep}`);
    }
  }
  expect(wrong).toEqual([]);
});

it('keeps HTTP packages out of the core library', () => {
  const wrong: string[] = [];
  for (const file of files(SRC)) {
    const rel = relative(SRC, file);
    if (faces[layer(rel)]) continue;
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/^(?:import|export)[^'"]*from '([^.][^']*)'/gm)) {
      if (faceOnlyPackages.test(m[1]!)) wrong.push(`${rel} → ${m[1]}`);
    }
  }
  expect(wrong).toEqual([]);
});

it('has no import cycles at run time', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].join(' → '));
      return;
    }
    state.set(f, 'open');
    for (const d of runtime.get(f) ?? []) visit(d, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of runtime.keys()) visit(f, []);
  expect(cycles).toEqual([]);
});
