/** Pins every stream key string: the layout is a contract with data already in Redis. */
import { describe, expect, it } from 'vitest';
import {
  cursorKey,
  deadLetterKey,
  ephemeralChannel,
  feedPartitionKeys,
  feedTopicKeys,
  topicKeys,
  unreadKey,
} from '../../src/redis/keys.js';

describe('stream keys', () => {
  it('pins every key of a standalone topic, tagged by the topic name', () => {
    const k = topicKeys('sluice', 'run:42');
    expect({ ...k }).toEqual({
      head: 'sluice:{s:run:42}:',
      tail: '',
      stream: 'sluice:{s:run:42}:stream',
      meta: 'sluice:{s:run:42}:meta',
      idem: 'sluice:{s:run:42}:idem',
      idemz: 'sluice:{s:run:42}:idemz',
      errors: 'sluice:{s:run:42}:errors',
      live: 'sluice:{s:run:42}:live',
    });
    expect(deadLetterKey(k, 'billing')).toBe('sluice:{s:run:42}:dlq:billing');
  });

  it('tags a topic of a feed, and the feed partition, by the partition', () => {
    const k = feedTopicKeys('app', 'chat', 3, 'conv:7');
    expect(k.stream).toBe('app:{f:chat:3}:stream:conv:7');
    expect(k.meta).toBe('app:{f:chat:3}:meta:conv:7');
    expect(k.idem).toBe('app:{f:chat:3}:idem:conv:7');
    expect(k.idemz).toBe('app:{f:chat:3}:idemz:conv:7');
    expect(k.errors).toBe('app:{f:chat:3}:errors:conv:7');
    expect(k.live).toBe('app:{f:chat:3}:live:conv:7');
    expect(deadLetterKey(k, 'notify')).toBe('app:{f:chat:3}:dlq:notify:conv:7');
    const f = feedPartitionKeys('app', 'chat', 3);
    expect(f.stream).toBe('app:{f:chat:3}:stream');
    expect(f.meta).toBe('app:{f:chat:3}:meta');
    expect(deadLetterKey(f, 'notify')).toBe('app:{f:chat:3}:dlq:notify');
    // One `{…}` per key, the same in the topic's keys and its partition's: one slot.
    for (const key of [...Object.values(k), ...Object.values(f)].filter((v) => v.includes('{')))
      expect(key.match(/\{[^}]*\}/g)).toEqual(['{f:chat:3}']);
  });

  it('pins the ephemeral channel and the cursor and unread keys', () => {
    expect(ephemeralChannel('sluice', 'typing:7')).toBe('sluice:{e:typing:7}:pubsub');
    expect(cursorKey('sluice', 'bob', 'phone', 'conv:7')).toBe(
      'sluice:{u:bob}:cursor:phone:conv:7',
    );
    expect(unreadKey('sluice', 'bob', 'conv:7')).toBe('sluice:{u:bob}:unread:conv:7');
  });
});
