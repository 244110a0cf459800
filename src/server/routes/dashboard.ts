/**
 * The dashboard: the built files of `dist/dashboard/` served at `/`, and `GET /v1/session` (the
 * caller's role, so the page can hide actions from a viewer).
 *
 * Served by hand rather than with @fastify/static, whose current major needs Node 22 (our floor is
 * Node 20): the files are a fixed list read once at start, so no request touches the disk and no
 * path from a request is ever joined onto a directory. Hashed names (`assets/x-<hash>.js`) are
 * cached for a year as immutable; `index.html` is `no-cache`, so a new build is seen at once.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifySchema } from 'fastify';
import { AuthError } from '../../index.js';
import * as s from '../schemas/dashboard.js';
import type { App, ServerContext } from '../types.js';
import { bearerToken } from '../auth.js';

// From src/server/routes (tsx) and dist/server/routes (built) alike: <root>/dist/dashboard.
const DEFAULT_DIR = fileURLToPath(new URL('../../../dist/dashboard/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

interface StaticFile {
  body: Buffer;
  type: string;
  cache: string;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out;
}

/** Reads the built dashboard once: URL path → file. Empty when it has not been built. */
export function loadDashboard(dir = DEFAULT_DIR): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(join(dir, 'index.html'))) return files;
  for (const path of listFiles(dir)) {
    const url = '/' + relative(dir, path).split(sep).join('/');
    const hashed = /-[A-Z0-9]{8}\.\w+$/.test(url);
    files.set(url, {
      body: readFileSync(path),
      type: TYPES[extname(path)] ?? 'application/octet-stream',
      cache: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  return files;
}

// Static files stay out of /openapi.json (`hide` is @fastify/swagger's).
const HIDDEN = { schema: { hide: true } as FastifySchema };

const NOT_BUILT =
  '<!doctype html><title>Sluice</title><p>The dashboard is not built: run <code>npm run build</code>.';

/** Registers `/` (the dashboard's files) and `GET /v1/session` on `app` (mounted at the root). */
export async function dashboardRoutes(
  app: App,
  ctx: ServerContext,
  dir: string = DEFAULT_DIR,
): Promise<void> {
  const files = loadDashboard(dir);
  for (const [url, file] of files) {
    const paths = url === '/index.html' ? ['/', url] : [url];
    for (const path of paths) {
      app.get(path, HIDDEN, (_req, reply) =>
        reply.header('cache-control', file.cache).type(file.type).send(file.body),
      );
    }
  }
  if (!files.has('/index.html')) {
    app.get('/', HIDDEN, (_req, reply) =>
      reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(NOT_BUILT),
    );
  }

  app.get('/v1/session', { schema: s.getSession }, async (req) => {
    const p = await ctx.auth.verify(bearerToken(req));
    if (!p.admin) throw new AuthError('SLC_ERR_FORBIDDEN', 'the dashboard needs an admin token');
    return {
      role: p.readOnly ? ('viewer' as const) : ('admin' as const),
      ...(p.subject ? { subject: p.subject } : {}),
      authEnabled: ctx.auth.enabled,
    };
  });
}
