/**
 * A bench agent: one child process that plays one side (producer or consumer) of one run, so its
 * CPU is measured apart from everything else. The task comes in `BENCH_TASK` (JSON); the agent
 * connects, says `ready`, starts on `go`, reports a `result` and exits.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadContender } from './contenders/index.js';
import type { Contender, JobData } from './contenders/types.js';
import { makeJob, monoMs } from './lib/payload.js';
import type { AgentMessage, AgentResult, AgentTask, ParentMessage } from './lib/protocol.js';

function send(msg: AgentMessage): Promise<void> {
  return new Promise((resolve) => process.send!(msg, () => resolve()));
}

function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    process.on('message', (m: ParentMessage) => {
      if (m.type === 'go') resolve();
    });
  });
}

/** Prepares the task; returns the function that runs it once `go` arrives, and a cleanup. */
async function prepare(
  task: AgentTask,
  c: Contender,
): Promise<{ run: () => Promise<number[] | undefined>; close: () => Promise<void> }> {
  const { url, queue } = task;
  switch (task.kind) {
    case 'enqueue-bulk': {
      const p = await c.createProducer({ url, queue });
      const jobs = Array.from({ length: task.n }, (_, i) => makeJob(i));
      return {
        run: async () => {
          for (let i = 0; i < jobs.length; i += task.chunk)
            await p.addBulk(jobs.slice(i, i + task.chunk));
          return undefined;
        },
        close: () => p.close(),
      };
    }
    case 'enqueue-single': {
      const p = await c.createProducer({ url, queue });
      const addAll = async (jobs: JobData[]) => {
        let next = 0;
        const lane = async () => {
          while (next < jobs.length) await p.add(jobs[next++]!);
        };
        await Promise.all(Array.from({ length: task.inFlight }, lane));
      };
      await addAll(Array.from({ length: task.warmup }, (_, i) => makeJob(task.n + i)));
      const jobs = Array.from({ length: task.n }, (_, i) => makeJob(i));
      return {
        run: async () => {
          await addAll(jobs);
          return undefined;
        },
        close: () => p.close(),
      };
    }
    case 'consume': {
      const samples: number[] = [];
      let completed = 0;
      let finish: () => void = () => {};
      const done = new Promise<void>((r) => (finish = r));
      const consumer = await c.createConsumer({
        url,
        queue,
        concurrency: task.concurrency,
        keep: task.keep,
        delayed: task.delayed,
        onStart: task.timed
          ? (data: JobData) => {
              const sample = monoMs() - data.t - data.d;
              if (data.i >= task.warmup) samples.push(sample);
            }
          : () => {},
        onCompleted: () => {
          if (++completed === task.n) finish();
        },
      });
      return {
        run: async () => {
          consumer.start();
          await done;
          return task.timed ? samples : undefined;
        },
        close: () => consumer.close(),
      };
    }
    case 'produce-paced': {
      const p = await c.createProducer({ url, queue });
      return {
        run: () =>
          new Promise((resolve, reject) => {
            const start = monoMs();
            let sent = 0;
            let acked = 0;
            const tick = () => {
              const due = Math.min(task.n, Math.floor(((monoMs() - start) * task.rate) / 1000) + 1);
              while (sent < due) {
                p.add(makeJob(sent++, monoMs())).then(() => {
                  if (++acked === task.n) resolve(undefined);
                }, reject);
              }
              if (sent < task.n) setTimeout(tick, 1);
            };
            tick();
          }),
        close: () => p.close(),
      };
    }
    case 'produce-delayed': {
      const p = await c.createProducer({ url, queue });
      return {
        run: async () => {
          for (let i = 0; i < task.n; i++) {
            const delay = Math.floor(Math.random() * (task.maxDelayMs + 1));
            await p.add(makeJob(i, monoMs(), delay), delay);
          }
          return undefined;
        },
        close: () => p.close(),
      };
    }
  }
}

async function main(): Promise<void> {
  // The harness is gone (Ctrl-C, crash): stop too, whatever the contender's connections do.
  process.on('disconnect', () => process.exit(1));
  const task = JSON.parse(process.env.BENCH_TASK ?? '') as AgentTask;
  const contender = await loadContender(task.contender);
  const go = waitForGo();
  const { run, close } = await prepare(task, contender);
  const profile = process.env.BENCH_CPU_PROFILE;
  const session = profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
  }
  await send({ type: 'ready' });
  await go;
  // With BENCH_CPU_PROFILE, a V8 CPU profile of exactly the measured part.
  if (session) await session.post('Profiler.start');
  const cpu0 = process.cpuUsage();
  const t0 = monoMs();
  const samples = await run();
  const elapsedMs = monoMs() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (session) {
    const { profile: data } = await session.post('Profiler.stop');
    writeFileSync(profile!, JSON.stringify(data));
  }
  const result: AgentResult = { elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, samples };
  await send({ type: 'result', result });
  await close();
  process.exit(0);
}

main().catch(async (err: unknown) => {
  await send({
    type: 'error',
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  process.exit(1);
});
