/**
 * A gateway server in a process of its own (for the two-process chat scenario and for clean
 * memory figures): reads its configuration from GATEWAY_TEST_CONFIG, listens on 127.0.0.1:0,
 * and answers IPC requests: `mem` (heap after a full GC, with the gateway's counters), `close`.
 */
import { buildApp } from '../../src/server/index.js';
import { closeContext, createContext } from '../../src/server/context.js';
import { gatewayStats } from '../../src/server/gateway/index.js';
import type { ServerConfig } from '../../src/server/config.js';

const config = JSON.parse(process.env.GATEWAY_TEST_CONFIG!) as ServerConfig;
const ctx = createContext(config);
const app = await buildApp(ctx);
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
process.send!({ type: 'listening', port: typeof addr === 'object' && addr ? addr.port : 0 });

process.on('message', (m: { type: string; id: number }) => {
  if (m.type === 'mem') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send!({
      type: 'mem',
      id: m.id,
      heapUsed: process.memoryUsage().heapUsed,
      stats: gatewayStats(ctx),
    });
  } else if (m.type === 'close') {
    void app
      .close()
      .then(() => closeContext(ctx))
      .then(() => process.exit(0));
  }
});
