/** Pins every key string of a queue: the layout is a contract with data already in Redis. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PREFIX,
  SCHEMA_VERSION,
  partitionCountKey,
  queueKeys,
  queueMetaPattern,
  queuePartitionKeys,
  queueNameFromMetaKey,
  scheduleChannel,
} from '../../src/redis/keys.js';

describe('queue keys', () => {
  it('pins every key of a queue', () => {
    expect(queueKeys('sluice', 'emails')).toEqual({
      meta: 'sluice:{emails}:meta',
      wait: 'sluice:{emails}:wait',
      prio: 'sluice:{emails}:prio',
      delayed: 'sluice:{emails}:delayed',
      active: 'sluice:{emails}:active',
      completed: 'sluice:{emails}:completed',
      failed: 'sluice:{emails}:failed',
      jobs: 'sluice:{emails}:jobs',
      info: 'sluice:{emails}:info',
      lease: 'sluice:{emails}:lease',
      results: 'sluice:{emails}:results',
      dedup: 'sluice:{emails}:dedup',
      marker: 'sluice:{emails}:marker',
      metrics: 'sluice:{emails}:metrics',
      events: 'sluice:{emails}:events',
      tomb: 'sluice:{emails}:tomb',
      entity: 'sluice:{emails}:entity',
      gwait: 'sluice:{emails}:gwait',
      gof: 'sluice:{emails}:gof',
      gready: 'sluice:{emails}:gready',
      glimited: 'sluice:{emails}:glimited',
      gstate: 'sluice:{emails}:gstate',
      gage: 'sluice:{emails}:gage',
      progress: 'sluice:{emails}:progress',
      logs: 'sluice:{emails}:logs',
      cancel: 'sluice:{emails}:cancel',
      cancelChannel: 'sluice:{emails}:cancelled',
      sched: 'sluice:{emails}:sched',
      schednext: 'sluice:{emails}:schednext',
      wchild: 'sluice:{emails}:wchild',
      parents: 'sluice:{emails}:parents',
      flowout: 'sluice:{emails}:flowout',
    });
  });

  it('puts the queue name in the hash tag, after any prefix', () => {
    const keys = Object.values(queueKeys('app:jobs', 'a.b:c-1'));
    expect(keys).toHaveLength(32);
    for (const key of keys) expect(key).toMatch(/^app:jobs:\{a\.b:c-1\}:[a-z]+$/);
    // Only one `{…}` per key, so Redis Cluster hashes exactly the queue name.
    for (const key of keys) expect(key.match(/\{/g)).toHaveLength(1);
  });

  it('pins the defaults and the discovery pattern', () => {
    expect(DEFAULT_PREFIX).toBe('sluice');
    expect(SCHEMA_VERSION).toBe(2);
    expect(queueMetaPattern('sluice')).toBe('sluice:{*}:meta');
    expect(scheduleChannel('sluice', 'emails')).toBe('sluice:{emails}:schedwake');
    expect(queueNameFromMetaKey('sluice', 'sluice:{emails}:meta')).toBe('emails');
    expect(queueNameFromMetaKey('sluice', 'sluice:{emails}:wait')).toBeUndefined();
    expect(queueNameFromMetaKey('sluice', 'other:{emails}:meta')).toBeUndefined();
  });

  it('pins the keys of a partition and the partition-count hash', () => {
    const k = queuePartitionKeys('sluice', 'emails', 3);
    expect([k.meta, k.wait, k.marker, k.gwait]).toEqual([
      'sluice:{emails#3}:meta',
      'sluice:{emails#3}:wait',
      'sluice:{emails#3}:marker',
      'sluice:{emails#3}:gwait',
    ]);
    expect(partitionCountKey('sluice')).toBe('sluice:{registry}:partitions');
    // A partition's meta key is not a queue of its own.
    expect(queueNameFromMetaKey('sluice', k.meta)).toBeUndefined();
  });
});
