/**
 * Builds the dashboard (dashboard/src, Preact + uPlot) into dist/dashboard/ with hashed file
 * names and relative URLs, so the server can serve it from any path with immutable caching.
 *
 * esbuild rather than Vite: Vite 7 needs Node >= 20.19 and our floor is Node 20.
 */
import { build } from 'esbuild';
import { argv, stdout } from 'node:process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'dashboard');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: [join(root, 'dashboard', 'src', 'main.tsx')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});

const files = Object.keys(result.metafile.outputs).map((f) => basename(f));
const js = files.find((f) => f.endsWith('.js'));
const css = files.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error(`dashboard build: expected one .js and one .css, got ${files}`);
const html = readFileSync(join(root, 'dashboard', 'index.html'), 'utf8')
  .replace('%JS%', `assets/${js}`)
  .replace('%CSS%', `assets/${css}`);
writeFileSync(join(out, 'index.html'), html);
// `--quiet` (npm start): the first line the product prints is the URL to open.
if (!argv.includes('--quiet'))
  stdout.write(`dashboard: dist/dashboard/index.html, assets/${js}, assets/${css}\n`);
