/**
 * Binding the app to its host and port, with the one failure users meet most (the port is taken)
 * said plainly, and the URL to open worked out from what was actually bound.
 */
import { ConfigError } from '../index.js';
import type { App } from './types.js';

/** The URL a browser on this machine opens for a bound address. */
export function urlFor(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/**
 * Listens on `host:port`; resolves with the URL to open. A port in use (or not allowed) is a
 * `ConfigError` naming it and the way out (`PORT`).
 */
export async function listen(app: App, host: string, port: number): Promise<string> {
  try {
    await app.listen({ host, port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new ConfigError([
        `port ${port} on ${host} is already in use (choose another port — PORT or --port — or 0 for any)`,
      ]);
    if (code === 'EACCES')
      throw new ConfigError([`port ${port} on ${host} needs privileges (use a port above 1023)`]);
    if (code === 'EADDRNOTAVAIL')
      throw new ConfigError([`host ${host} is not an address of this machine`]);
    throw err;
  }
  const addr = app.server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  return urlFor(host, bound);
}
