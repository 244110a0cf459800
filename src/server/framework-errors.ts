/**
 * Errors Fastify and Node's HTTP parser answer before any route or error handler runs: a
 * malformed `%` escape or an over-long path segment (the router), a request the parser cannot
 * read or whose headers are too large (the socket). Their defaults answer in Fastify's own shape
 * and one of them repeats the whole URL, `?token=` included; here every one is the wire shape,
 * `{ "error": { "code", "message" } }`, with a fixed message that quotes nothing the caller sent.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RequestError } from '../index.js';
import { sendError } from './errors.js';

/** Fastify's `frameworkErrors`: router failures as `SLC_ERR_BAD_REQUEST`. */
export function frameworkError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const message =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'a path segment is longer than 512 characters'
      : err.code === 'FST_ERR_BAD_URL'
        ? 'the URL holds a malformed % escape'
        : 'the request could not be routed';
  void sendError(req, reply, new RequestError('SLC_ERR_BAD_REQUEST', message, { cause: err }));
}

/** Fastify's `clientErrorHandler`: a request the HTTP parser refused, answered and closed. */
export function clientError(err: Error & { code?: string }, socket: Socket): void {
  // a reset connection has no one left to answer (as Fastify's default does)
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'the request took too long to arrive']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers are too large']
        : [400, 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: { code: 'SLC_ERR_BAD_REQUEST', message } });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}
