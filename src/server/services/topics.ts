/**
 * The topic operations of the API as plain functions (typed input → typed output, no HTTP types).
 * Topic handles are cheap, so one is made per call; nothing is opened per name.
 */
import { GroupNotFoundError, RequestError, type Registry, type Streams } from '../../index.js';

/** A topic's state with each consumer group's lag and pending. */
export async function topicInfo(streams: Streams, name: string) {
  const topic = streams.topic(name);
  const info = await topic.info();
  const groups = [];
  for (const g of info.groups) {
    try {
      const s = await topic.group(g.name).stats();
      groups.push({ ...s, name: g.name, lastSeenMs: g.lastSeenMs });
    } catch (err) {
      // Destroyed between the two reads: leave it out.
      if (!(err instanceof GroupNotFoundError)) throw err;
    }
  }
  return { name, ...info, groups };
}

/** A page of the registry's topics, each with its state. */
export async function listTopics(
  streams: Streams,
  registry: Registry,
  page: { offset?: number; limit?: number },
) {
  const names = await registry.topics();
  const offset = page.offset ?? 0;
  const slice = names.slice(offset, offset + (page.limit ?? 100));
  const topics = [];
  for (const n of slice) topics.push(await topicInfo(streams, n));
  return { total: names.length, topics };
}

/** Publishes one entry; `duplicate` when the idempotency key was seen. */
export function publish(
  streams: Streams,
  name: string,
  body: { data: unknown; idempotencyKey?: string },
) {
  return streams
    .topic(name)
    .publish(
      body.data,
      body.idempotencyKey === undefined ? {} : { idempotencyKey: body.idempotencyKey },
    );
}

/**
 * Publishes to an ephemeral topic (Pub/Sub: the live subscribers get it, nothing is kept): no
 * position, no de-duplication (an `idempotencyKey` needs the history an ephemeral topic lacks).
 */
export async function publishEphemeral(
  streams: Streams,
  name: string,
  body: { data: unknown; idempotencyKey?: string },
) {
  if (body.idempotencyKey !== undefined)
    throw new RequestError(
      'SLC_ERR_BAD_REQUEST',
      `${name} is an ephemeral topic: an idempotencyKey needs a durable one`,
    );
  const { receivers } = await streams.ephemeral(name).publish(body.data);
  return { position: null, duplicate: false, receivers };
}

/** A page of history after `after` (default: from the oldest kept entry). */
export function entries(streams: Streams, name: string, q: { after?: string; limit?: number }) {
  return streams.topic(name).range({
    ...(q.after === undefined ? {} : { after: q.after }),
    ...(q.limit === undefined ? {} : { limit: q.limit }),
  });
}
