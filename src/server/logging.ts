/** pino options for the server: structured, with every secret and token redacted. (stub) */
import type { FastifyServerOptions } from 'fastify';
import type { ServerConfig } from './config.js';

export function loggerOptions(config: ServerConfig): FastifyServerOptions['logger'] {
  return config.logLevel === 'silent' ? false : { level: config.logLevel };
}
