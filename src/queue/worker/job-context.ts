/** What a handler gets beside its job, and how a running job is taken away from it. */

/** What a handler gets beside the job. */
export interface JobContext {
  /** Aborted when the worker lost the job's lease or gave the job back on shutdown. */
  signal: AbortSignal;
}

/** The part of a running job that its abort signal needs. */
export interface Abortable {
  /** Made on first use of `ctx.signal`: most handlers never look, and one costs ~1 µs. */
  controller: AbortController | undefined;
  /** Why the job was taken away, if it was (applied to a controller made later). */
  abortReason: unknown;
}

/** A handler's context: a class, so the per-job object is one small allocation (no getter of its own). */
class Context implements JobContext {
  constructor(private readonly running: Abortable) {}

  get signal(): AbortSignal {
    const running = this.running;
    if (!running.controller) {
      running.controller = new AbortController();
      if (running.abortReason !== undefined) running.controller.abort(running.abortReason);
    }
    return running.controller.signal;
  }
}

/** The handler's context, with an AbortSignal made only if the handler asks for it. */
export function contextOf(running: Abortable): JobContext {
  return new Context(running);
}

/** Takes the job away from its handler (the signal fires now, or when first asked for). */
export function abortRunning(running: Abortable, reason: unknown): void {
  running.abortReason ??= reason;
  running.controller?.abort(reason);
}
