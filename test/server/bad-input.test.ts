/**
 * Bad input, generated from `/openapi.json` (every path and method it lists, no hand list):
 * malformed and empty JSON, wrong types for each body field and query parameter, oversized
 * bodies, bad queue/topic names and job ids, unknown routes, wrong methods, missing, bad, forged
 * and expired tokens. Every answer must be a 4xx JSON error with an `SLC_ERR_*` code, the server
 * must keep answering, and every job and entry stored before must still be there, unchanged.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queue, Streams } from '../../src/index.js';
import { sign, startServer, type TestServer } from './helpers.js';

const SECRET = 'bad-input-secret-0123456789-0123456789';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  maxLength?: number;
  pattern?: string;
  $ref?: string;
}
interface Operation {
  parameters?: { in: 'path' | 'query'; name: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
}
interface Case {
  label: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  token?: string | null; // null: no token at all
}

let s: TestServer;
let admin: string;
const seeded = { jobs: [] as { id: string; data: unknown }[], positions: [] as string[] };

beforeAll(async () => {
  s = await startServer({ secret: SECRET });
  admin = await sign(SECRET, { role: 'admin' });
  // Seed through the library, from handles of its own.
  const q = new Queue('seed', { connection: s.config.redisUrl, prefix: s.config.prefix });
  for (let i = 0; i < 10; i++) {
    const opts = i % 3 === 0 ? { delay: 3_600_000 } : {};
    const { id } = await q.add('seed', { i }, opts);
    seeded.jobs.push({ id, data: { i } });
  }
  await q.close();
  const streams = new Streams({ connection: s.config.redisUrl, prefix: s.config.prefix });
  for (let i = 0; i < 10; i++)
    seeded.positions.push((await streams.topic('seed-topic').publish({ i })).position);
  await streams.close();
});

afterAll(async () => {
  await s.close();
});

/** Fills `{queue}`, `{topic}` and `{id}` with values that exist (ids with one that does not). */
function fill(path: string, over: Record<string, string> = {}): string {
  const values: Record<string, string> = { queue: 'seed', topic: 'seed-topic', id: 'no-such-job' };
  return path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(over[name] ?? values[name] ?? 'x'),
  );
}

function resolve(schema: Schema, doc: { components: { schemas: Record<string, Schema> } }) {
  return schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!]! : schema;
}

/** A value of the wrong type for `schema` that no coercion turns right, or undefined. */
function wrongValue(schema: Schema): unknown {
  const types = [schema.type ?? schema.anyOf?.map((b) => b.type) ?? []].flat();
  if (types.length === 0 && schema.const === undefined) return undefined; // accepts anything
  if (types.includes('object') || types.includes('array')) return 42;
  return { not: 'this' };
}

/** A query value that fails `schema`, or undefined. */
function wrongQuery(schema: Schema): string | undefined {
  const types = [schema.type ?? schema.anyOf?.map((b) => b.type) ?? []].flat();
  if (types.includes('integer') || types.includes('number')) return 'abc';
  if (schema.anyOf || schema.enum) return 'nonsense';
  if (schema.maxLength) return 'x'.repeat(schema.maxLength + 1);
  return undefined;
}

function casesFor(
  doc: {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Schema> };
  },
  tokens: Record<string, string>,
): Case[] {
  const out: Case[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const defined = Object.keys(ops).map((m) => m.toUpperCase());
    for (const [m, op] of Object.entries(ops)) {
      const method = m.toUpperCase();
      const at = `${method} ${path}`;
      const url = fill(path);
      const json = { 'content-type': 'application/json' };
      // Tokens, where the document says the route needs one (`security: []` marks open probes).
      if (op.security?.length !== 0) {
        out.push({ label: `${at} no token`, method, path: url, token: null });
        for (const [name, t] of Object.entries(tokens))
          out.push({ label: `${at} ${name} token`, method, path: url, token: t });
      }
      // Names and ids in the path.
      for (const p of op.parameters ?? []) {
        if (p.in !== 'path') continue;
        const bad =
          p.name === 'id'
            ? ['bad id!', 'x'.repeat(300), '1;DROP', '\u00e9t\u00e9']
            : ['.hidden', 'a b', 'x'.repeat(200), '{tag}', 'a/b', '\u00e9'];
        for (const v of bad)
          out.push({
            label: `${at} ${p.name}=${v.slice(0, 12)}`,
            method,
            path: fill(path, { [p.name]: v }),
          });
      }
      // Query parameters of the wrong type.
      for (const p of op.parameters ?? []) {
        if (p.in !== 'query') continue;
        const v = wrongQuery(resolve(p.schema, doc));
        if (v !== undefined)
          out.push({
            label: `${at} ?${p.name}=${v.slice(0, 12)}`,
            method,
            path: `${url}?${p.name}=${encodeURIComponent(v)}`,
          });
      }
      if (method !== 'GET') {
        out.push({
          label: `${at} malformed JSON`,
          method,
          path: url,
          body: '{"data": [1,',
          headers: json,
        });
        out.push({
          label: `${at} JSON not an object`,
          method,
          path: url,
          body: '"just a string"',
          headers: json,
        });
        out.push({ label: `${at} empty JSON`, method, path: url, body: '', headers: json });
        out.push({
          label: `${at} oversized`,
          method,
          path: url,
          body: JSON.stringify({ data: 'x'.repeat(9 * 1024 * 1024) }),
          headers: json,
        });
        out.push({
          label: `${at} xml`,
          method,
          path: url,
          body: '<a/>',
          headers: { 'content-type': 'application/xml' },
        });
      }
      // Wrong types, one field at a time, in a body that is otherwise right.
      const body = op.requestBody?.content['application/json']?.schema;
      if (body) {
        const branches = resolve(body, doc).anyOf ?? [resolve(body, doc)];
        for (const branch of branches) {
          const props = branch.properties ?? {};
          for (const [name, fieldSchema] of Object.entries(props)) {
            const v = wrongValue(resolve(fieldSchema, doc));
            if (v === undefined) continue;
            const value = name === 'jobs' ? v : { data: 1, [name]: v };
            const sent = name === 'jobs' ? { jobs: v } : value;
            out.push({
              label: `${at} body.${name} wrong type`,
              method,
              path: url,
              body: JSON.stringify(sent),
              headers: json,
            });
            if (name === 'jobs')
              out.push({
                label: `${at} jobs[0] wrong`,
                method,
                path: url,
                body: JSON.stringify({ jobs: [{ data: 1, delay: 'soon' }] }),
                headers: json,
              });
          }
          out.push({
            label: `${at} unknown field`,
            method,
            path: url,
            body: JSON.stringify({ data: 1, colour: 'red' }),
            headers: json,
          });
        }
      }
      // Wrong methods and unknown routes.
      for (const other of METHODS.filter((x) => !defined.includes(x)))
        out.push({ label: `${other} ${path} wrong method`, method: other, path: url });
      out.push({ label: `${at} unknown child`, method, path: `${url}/zz-none/zz-none` });
    }
  }
  out.push({ label: 'GET unknown root', method: 'GET', path: '/v2/queues' });
  out.push({ label: 'GET unknown v1', method: 'GET', path: '/v1/nothing' });
  return out;
}

it('answers every bad request with a 4xx SLC_ERR_* error and loses nothing', async () => {
  const docRes = await fetch(`${s.url}/openapi.json`);
  const doc = (await docRes.json()) as Parameters<typeof casesFor>[0];
  const tokens = {
    garbage: 'not-a-jwt',
    forged: await sign('some-other-secret-some-other-secret', { role: 'admin' }),
    expired: await sign(SECRET, { role: 'admin' }, -30),
    'other-topic': await sign(SECRET, { topics: ['elsewhere'], publish: true }),
  };
  const cases = casesFor(doc, tokens);
  const failures: string[] = [];
  for (const c of cases) {
    const headers: Record<string, string> = { ...c.headers };
    const token = c.token === undefined ? admin : c.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const res = await fetch(s.url + c.path, { method: c.method, headers, body: c.body });
    const text = await res.text();
    let body: { error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    const ok =
      res.status >= 400 &&
      res.status < 500 &&
      typeof body?.error?.code === 'string' &&
      /^SLC_ERR_[A-Z_]+$/.test(body.error.code) &&
      typeof body.error.message === 'string';
    if (!ok) failures.push(`${c.label}: ${res.status} ${text.slice(0, 120)}`);
  }
  console.log(`bad-input: ${cases.length} cases over ${Object.keys(doc.paths).length} paths`);
  expect(failures).toEqual([]);
  expect(cases.length).toBeGreaterThan(300);

  // Still answering.
  const after = await fetch(`${s.url}/v1/queues`, {
    headers: { authorization: `Bearer ${admin}` },
  });
  expect(after.status).toBe(200);

  // Every job and entry stored before is still there, unchanged (read through the library).
  const q = new Queue('seed', { connection: s.config.redisUrl, prefix: s.config.prefix });
  const streams = new Streams({ connection: s.config.redisUrl, prefix: s.config.prefix });
  try {
    for (const j of seeded.jobs) expect((await q.getJob(j.id))?.data, j.id).toEqual(j.data);
    expect(await q.stats()).toMatchObject({ waiting: 6, delayed: 4, paused: false });
    const page = await streams.topic('seed-topic').range({ after: '0', limit: 100 });
    expect(page.entries.map((e) => e.position)).toEqual(seeded.positions);
  } finally {
    await q.close();
    await streams.close();
  }
});
