#!/usr/bin/env node
/**
 * The `sluice` executable: the only file that touches `process` (argv, env, streams, TTY,
 * signals, exit). Everything else is `main(argv, env, io)`.
 */
import { readFile } from 'node:fs/promises';
import type { Io } from './io.js';
import { main } from './main.js';

const controller = new AbortController();
let interrupts = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // The first asks the command to stop cleanly; a second stops at once.
    if (++interrupts > 1) process.exit(130);
    controller.abort();
  });
}

// The reader went away (`sluice topic tail t | head -3`): it has what it wanted, so stop the
// command and leave quietly, as `cat` does, rather than die on an unhandled EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  controller.abort();
  process.exit(0);
});

async function* keys(): AsyncGenerator<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  try {
    for await (const chunk of stdin) yield chunk as string;
  } finally {
    if (stdin.isTTY) stdin.setRawMode(false);
  }
}

async function readStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk as string;
  return text;
}

const io: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdoutTTY: process.stdout.isTTY === true,
  stderrTTY: process.stderr.isTTY === true,
  columns: process.stdout.columns || 80,
  ...(process.stdout.rows ? { rows: process.stdout.rows } : {}),
  signal: controller.signal,
  keys,
  readStdin,
  readFile: (path) => readFile(path, 'utf8'),
};

const code = await main(process.argv.slice(2), process.env, io);
// Let stdout drain (a pipe may be slow), then leave even if stdin is still being read.
process.stdout.write('', () => process.exit(code));
