/** Maps every failure to `{"error":{"code","message"}}` with the status of the code. (stub) */
import type { App } from './types.js';

export function registerErrorHandling(_app: App): void {}
