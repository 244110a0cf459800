/**
 * A tiny server that speaks RESP over a real TCP socket and claims to be an old Redis. No old
 * redis-server binary exists on the test machines, and a real one cannot be made to lie about its
 * version, so this stands in for "Redis 6.0" in the version-check tests only. It answers INFO
 * with the given version, PING, TIME, and +OK to anything else; it records every command.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface FakeRedis {
  url: string;
  commands: string[][];
  close(): Promise<void>;
}

function bulk(s: string): string {
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}

/** Parses as many complete RESP arrays of bulk strings as `buf` holds; returns the rest. */
function parse(buf: string, out: string[][]): string {
  for (;;) {
    if (!buf.startsWith('*')) return buf;
    const lines = buf.split('\r\n');
    const n = Number(lines[0]!.slice(1));
    if (lines.length < 1 + 2 * n + 1) return buf;
    const args: string[] = [];
    for (let i = 0; i < n; i++) args.push(lines[2 + 2 * i]!);
    out.push(args);
    buf = lines.slice(1 + 2 * n).join('\r\n');
  }
}

function reply(cmd: string[], version: string): string {
  const name = (cmd[0] ?? '').toUpperCase();
  if (name === 'INFO') return bulk(`# Server\r\nredis_version:${version}\r\nloading:0\r\n`);
  if (name === 'PING') return '+PONG\r\n';
  // An empty server: every read of a key finds nothing (a partition count, a meta field…).
  if (name === 'HGET' || name === 'GET') return '$-1\r\n';
  if (name === 'TIME') {
    const ms = Date.now();
    return `*2\r\n${bulk(String(Math.floor(ms / 1000)))}${bulk(String((ms % 1000) * 1000))}`;
  }
  return '+OK\r\n';
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeRedis(version: string): Promise<FakeRedis> {
  const commands: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const got: string[][] = [];
      buf = parse(buf + chunk, got);
      for (const cmd of got) {
        commands.push(cmd);
        socket.write(reply(cmd, version));
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
