/** docs/errors.md, ERROR_CODES and the error classes stay in sync. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import * as sluice from '../src/index.js';
import { ERROR_CODES, SluiceError } from '../src/index.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const rows = [...doc.matchAll(/^\| `(SLC_ERR_[A-Z_]+)` +\| (\d{3}) +\| `(\w+)` +\|/gm)].map(
  (m) => ({
    code: m[1]!,
    status: Number(m[2]),
    cls: m[3]!,
  }),
);

it('documents every code with its status, and no code that does not exist', () => {
  expect(rows.map((r) => r.code).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  for (const r of rows) expect(r.status).toBe(ERROR_CODES[r.code as keyof typeof ERROR_CODES]);
});

it('names exported classes that extend SluiceError', () => {
  for (const r of rows) {
    const cls = (sluice as Record<string, unknown>)[r.cls];
    expect(typeof cls, r.cls).toBe('function');
    expect(
      (cls as { prototype: object }).prototype instanceof SluiceError || cls === SluiceError,
      r.cls,
    ).toBe(true);
  }
});

it('gives every error its code, status and name', () => {
  const err = new sluice.JobError('SLC_ERR_JOB_NOT_FOUND', '7', 'job 7 not found');
  expect(err).toBeInstanceOf(SluiceError);
  expect(err).toMatchObject({
    code: 'SLC_ERR_JOB_NOT_FOUND',
    status: 404,
    name: 'JobError',
    jobId: '7',
  });
});
