/**
 * Progress and log lines a handler reports for the job it runs (`job.progress(value)`,
 * `job.log(line)`). Each write is one small script call fenced by the lease token (a handler that
 * lost its job cannot write to it) and bounded per job. A job that never reports costs nothing:
 * no write, and the finishing scripts touch the extras' hashes only once some job has used them.
 */
import { LeaseLostError, ValidationError } from '../../errors.js';
import { serialisePayload } from '../../validate.js';
import type { QueueCommands } from '../commands/commands.js';

/** Largest progress value, in bytes of JSON. */
export const MAX_PROGRESS_BYTES = 4096;
/** Log lines kept per job (the newest). */
export const MAX_LOG_LINES = 100;
/** Bytes of log lines kept per job (the newest). */
export const MAX_LOG_BYTES = 16_384;
/** Longest log line, in characters; the rest is cut. */
export const MAX_LOG_LINE = 2048;

/** Writes one running job's progress and logs (made by the worker for each job it runs). */
export class JobReporter {
  constructor(
    private readonly commands: QueueCommands,
    private readonly id: string,
    private readonly token: string,
  ) {}

  async progress(value: unknown): Promise<void> {
    const json = serialisePayload(value, MAX_PROGRESS_BYTES, 'progress');
    if (!(await this.commands.progress(this.id, this.token, json)))
      throw new LeaseLostError(this.id);
  }

  async log(line: string): Promise<number> {
    if (typeof line !== 'string')
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', ['a log line must be a string']);
    const cut =
      line.length > MAX_LOG_LINE
        ? `${line.slice(0, MAX_LOG_LINE)}… [cut ${line.length - MAX_LOG_LINE}]`
        : line;
    const kept = await this.commands.log(this.id, this.token, cut, MAX_LOG_LINES, MAX_LOG_BYTES);
    if (kept < 0) throw new LeaseLostError(this.id);
    return kept;
  }
}
