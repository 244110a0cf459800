/**
 * The wiring of a Worker's background components (heartbeat, lease reaper, retention janitor,
 * wake listener, cancel listener, scheduler, flow relay) to the worker's own callbacks.
 */
import { openConnection, type RedisClient } from '../../redis/connection.js';
import type { CommandConnection } from '../../redis/command-connection.js';
import type { QueueKeys } from '../../redis/keys.js';
import { QueueCommands, type LeasedJob } from '../commands/commands.js';
import { FlowRelayTask } from '../flows/flow-relay.js';
import { Scheduler } from '../schedules/scheduler.js';
import type { WorkerOptions, WorkerSettings } from '../worker-options.js';
import { CancelListener } from './tasks/cancel-listener.js';
import { Heartbeat } from './tasks/heartbeat.js';
import { LeaseReaper } from './tasks/lease-reaper.js';
import { RetentionJanitor } from './tasks/retention-janitor.js';
import { WakeListener } from './fetching/wake-listener.js';

/** What the components call back into the worker for. */
export interface WorkerHooks {
  /** The connection the wake listener blocks on. */
  blockingClient: RedisClient;
  /** Leases to renew: the running jobs not released. */
  leases(): { id: string; token: string }[];
  onLeaseLost(id: string): void;
  onCancel(id: string): void;
  onStalled(id: string): void;
  failTakenOver(leased: LeasedJob): void;
  tokenBase(): string;
  onError(err: unknown): void;
}

/** A worker's background components (none started). */
export interface WorkerComponents {
  heartbeat: Heartbeat;
  reaper: LeaseReaper;
  janitor: RetentionJanitor;
  wake: WakeListener;
  cancels: CancelListener;
  scheduler: Scheduler | undefined;
  flows: FlowRelayTask;
}

/** Builds the components, in the order the worker always built them. */
export function wireComponents(
  name: string,
  options: WorkerOptions,
  settings: WorkerSettings,
  keys: QueueKeys,
  commands: QueueCommands,
  conn: CommandConnection,
  prefix: string,
  hooks: WorkerHooks,
): WorkerComponents {
  const onError = hooks.onError;
  const heartbeat = new Heartbeat(
    commands,
    settings.leaseMs,
    settings.heartbeatMs,
    hooks.leases,
    hooks.onLeaseLost,
    onError,
    hooks.onCancel,
  );
  const reaper = new LeaseReaper(
    commands,
    {
      maxStalls: settings.maxStalls,
      leaseMs: settings.leaseMs,
      intervalMs: settings.stallCheckMs,
      tokenBase: hooks.tokenBase,
    },
    hooks.onStalled,
    hooks.failTakenOver,
    onError,
  );
  const janitor = new RetentionJanitor(
    commands,
    {
      keepCompleted: settings.keepCompleted,
      keepFailed: settings.keepFailed,
      intervalMs: settings.retentionCheckMs,
    },
    onError,
  );
  const wake = new WakeListener(
    hooks.blockingClient,
    new QueueCommands(hooks.blockingClient, keys),
    keys.marker,
    settings.idleWakeMs,
  );
  const cancels = new CancelListener(
    openConnection(options.connection, onError),
    keys.cancelChannel,
    hooks.onCancel,
    onError,
  );
  const scheduler =
    options.schedules !== false
      ? new Scheduler(name, {
          connection: options.connection,
          prefix,
          connectionRetry: options.connectionRetry,
          onError,
        })
      : undefined;
  const flows = new FlowRelayTask(conn, prefix, [name], settings.flowRelayMs, onError);
  return { heartbeat, reaper, janitor, wake, cancels, scheduler, flows };
}
