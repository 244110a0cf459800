/** The public surface is deliberate: adding or removing an export must change this list. */
import { expect, it } from 'vitest';
import * as sluice from '../src/index.js';

it('exports exactly the curated names', () => {
  expect(Object.keys(sluice).sort()).toMatchInlineSnapshot(`
    [
      "AuthError",
      "ClosedError",
      "ConfigError",
      "ConnectionError",
      "ConsumerGroup",
      "Cursors",
      "DEFAULT_RETRY",
      "ERROR_CODES",
      "EphemeralSubscription",
      "EphemeralTopic",
      "Feed",
      "FlowProducer",
      "FlowRelay",
      "GroupNotFoundError",
      "GroupProcessor",
      "Job",
      "JobError",
      "LeaseLostError",
      "MAX_RETRY_DELAY_MS",
      "PRIORITY",
      "PayloadError",
      "PositionError",
      "Queue",
      "RateLimitError",
      "RedisVersionError",
      "Registry",
      "RequestError",
      "RetryAfterError",
      "START",
      "SluiceError",
      "Streams",
      "Subscription",
      "TimeoutError",
      "Topic",
      "UnrecoverableError",
      "ValidationError",
      "Worker",
      "backoffDelay",
      "formatPosition",
      "parsePosition",
      "tryOrEnqueue",
    ]
  `);
});
