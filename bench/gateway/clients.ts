/**
 * A load-client process of the gateway bench: opens `count` connections to one server over one
 * protocol, subscribes each to one topic, and records the latency of every message it gets
 * (see latency.ts). Protocols:
 * - `ws`: the gateway's WebSocket (`ws` client), `{"type":"subscribe","topic"}`;
 * - `sse`: the gateway's SSE (`node:http`, one socket per stream);
 * - `sio`: Socket.IO's own wire protocol (Engine.IO 4 over `ws`, as socket.io-client speaks it),
 *   `42["subscribe",room]` with an ack; written out here so both contenders' clients cost the
 *   same (a full socket.io-client per connection would make the load clients the bottleneck).
 * Driven over IPC by run.ts: `reset` (start a phase), `report` (its histogram and counts),
 * `stop`. It exits by itself after `maxSeconds`, or when its parent goes away.
 *
 *   argv: <protocol> <url> <count> <topicOf: "one:<name>" | "mod:<prefix>:<n>"> <offset> <maxSeconds>
 */
import { request } from 'node:http';
import WebSocket from 'ws';
import { BUCKETS, bucketOf, nowNs, stampOf } from './latency.js';

const [protocol, url, countArg, topicSpec, offsetArg, maxArg] = process.argv.slice(2) as string[];
const count = Number(countArg);
const offset = Number(offsetArg);
setTimeout(() => process.exit(3), Number(maxArg) * 1000); // bounded, whatever happens
process.on('disconnect', () => process.exit(0));

function topicOf(i: number): string {
  const [kind, a, b] = topicSpec!.split(':');
  return kind === 'one' ? a! : `${a}:${(offset + i) % Number(b)}`;
}

let hist = new Uint32Array(BUCKETS);
let perConn = new Uint32Array(count);
let received = 0;
let lastAt = 0;
let closed = 0;

function got(i: number, msg: Buffer | string): void {
  const t = stampOf(msg);
  if (t < 0) return;
  const now = nowNs();
  hist[bucketOf((now - t) / 1000)]!++;
  perConn[i]!++;
  received++;
  lastAt = now;
}

function openWs(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/v1/ws`, { perMessageDeflate: false });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', topic: topicOf(i), id: 1 })));
    let ready = false;
    ws.on('message', (data: Buffer) => {
      if (ready) return got(i, data);
      if (data.includes('"subscribed"')) {
        ready = true;
        resolve();
      } else if (data.includes('"error"')) reject(new Error(data.toString()));
    });
    ws.on('error', reject);
    ws.on('close', () => closed++);
  });
}

function openSse(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/topics/${topicOf(i)}/events`, { agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`SSE ${res.statusCode}`));
      res.setEncoding('utf8');
      let buf = '';
      let ready = false;
      res.on('data', (chunk: string) => {
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (!ready && block.includes('event: subscribed')) {
            ready = true;
            resolve();
          } else if (block.includes('event: entry')) got(i, block);
        }
      });
      res.on('close', () => closed++);
    });
    req.on('error', reject);
    req.end();
  });
}

function openSio(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
    });
    let ready = false;
    ws.on('message', (data: Buffer) => {
      const s = data.toString();
      if (ready && s.startsWith('42')) return got(i, s);
      if (s === '2') return ws.send('3'); // Engine.IO ping → pong
      if (s.startsWith('0{'))
        ws.send('40'); // open → connect the main namespace
      else if (s.startsWith('40')) ws.send(`421${JSON.stringify(['subscribe', topicOf(i)])}`);
      else if (s.startsWith('431')) {
        ready = true;
        resolve();
      }
    });
    ws.on('error', reject);
    ws.on('close', () => closed++);
  });
}

const open = { ws: openWs, sse: openSse, sio: openSio }[protocol as 'ws' | 'sse' | 'sio'];
const t0 = Date.now();
let next = 0;
// Connect 50 at a time: a bounded accept backlog on the server side.
await Promise.all(
  Array.from({ length: 50 }, async () => {
    while (next < count) await open(next++);
  }),
);
process.send!({ type: 'ready', opened: count, ms: Date.now() - t0 });

process.on('message', (m: { type: string }) => {
  if (m.type === 'reset') {
    hist = new Uint32Array(BUCKETS);
    perConn = new Uint32Array(count);
    received = 0;
    lastAt = 0;
    process.send!({ type: 'reset' });
  } else if (m.type === 'report') {
    const sparse: [number, number][] = [];
    hist.forEach((c, b) => c > 0 && sparse.push([b, c]));
    let min = Infinity;
    let max = 0;
    for (const c of perConn) {
      min = Math.min(min, c);
      max = Math.max(max, c);
    }
    process.send!({ type: 'report', sparse, received, min, max, lastAt, closed });
  } else if (m.type === 'stop') process.exit(0);
});
