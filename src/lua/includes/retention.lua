-- Deleting finished jobs and counting them. Included with `-- @include retention`.
-- @include records

-- Releases what `ids` hold outside the job hashes: the de-duplication keys still held (a job
-- holds its key until its data is deleted; `add` treats a finished holder as free unless within
-- the caller's TTL) and their members of the per-entity index. Both are found from the stored
-- options, decoded only for records that mention them; a queue that uses neither pays one HLEN
-- and one ZCARD.
local function releaseIndexes(jobsKey, dedupKey, entityKey, ids)
  local dedup = dedupKey and redis.call('HLEN', dedupKey) > 0
  local entity = entityKey and redis.call('ZCARD', entityKey) > 0
  if not dedup and not entity then return end
  local records = redis.call('HMGET', jobsKey, unpack(ids))
  local members = {}
  for i, id in ipairs(ids) do
    local record = records[i]
    local hasKey = record and dedup and string.find(record, '"dedupKey":', 1, true)
    local hasEntity = record and entity and string.find(record, '"entity":', 1, true)
    if hasKey or hasEntity then
      local opts = recordOptions(record) or {}
      local key = hasKey and opts.dedupKey
      if key and redis.call('HGET', dedupKey, key) == id then redis.call('HDEL', dedupKey, key) end
      if hasEntity and type(opts.entity) == 'string' then
        members[#members + 1] = entityMember(opts.entity, recordSeq(record), id)
      end
    end
  end
  if #members > 0 then redis.call('ZREM', entityKey, unpack(members)) end
end

-- Deletes the per-job fields of `ids` from the job hashes (and the dedup keys and entity index
-- members they hold). `extras`: the per-job hashes only some jobs write (progress, logs, cancel
-- marks), or nil where the caller knows none is in use (meta `x` unset: see includes/extras.lua).
local function deleteJobData(jobsKey, infoKey, resultsKey, ids, dedupKey, entityKey, extras)
  if #ids == 0 then return end
  -- Most queues use no de-dup key and no entity index and have no failed attempt on record: one
  -- EXISTS of the three (a key is gone once empty) spares the reads of each.
  local probe = { infoKey }
  if dedupKey then probe[#probe + 1] = dedupKey end
  if entityKey then probe[#probe + 1] = entityKey end
  local any = redis.call('EXISTS', unpack(probe)) > 0
  if any then releaseIndexes(jobsKey, dedupKey, entityKey, ids) end
  redis.call('HDEL', jobsKey, unpack(ids))
  -- Per-job state and results exist only for some jobs: one HLEN spares the HDEL of each id.
  if any and redis.call('HLEN', infoKey) > 0 then redis.call('HDEL', infoKey, unpack(ids)) end
  if resultsKey and redis.call('HLEN', resultsKey) > 0 then redis.call('HDEL', resultsKey, unpack(ids)) end
  for _, key in ipairs(extras or {}) do
    if redis.call('HLEN', key) > 0 then redis.call('HDEL', key, unpack(ids)) end
  end
end

-- Retention of a finished set (completed or failed): keep at most `keepCount` entries and none
-- older than `keepAgeMs` (0 = no age limit). Removes at most `limit` (default 1000) per call, so
-- the cost of one call is bounded; every finishing call (and the retention janitor) trims a
-- little, so the set never stays past its bound for long. Returns the number removed.
-- `entityKey`: the per-entity index (nil only where no job can be indexed).
-- `extras`: as for deleteJobData.
local function trimFinished(setKey, jobsKey, infoKey, resultsKey, now, keepCount, keepAgeMs, dedupKey, limit, entityKey, extras)
  limit = limit or 1000
  local removed = {}
  local excess = redis.call('ZCARD', setKey) - keepCount
  if excess > 0 then
    local popped = redis.call('ZPOPMIN', setKey, math.min(excess, limit))
    for i = 1, #popped, 2 do removed[#removed + 1] = popped[i] end
  end
  if keepAgeMs > 0 and #removed < limit then
    local old = redis.call('ZRANGEBYSCORE', setKey, '-inf', now - keepAgeMs, 'LIMIT', 0, limit - #removed)
    if #old > 0 then
      redis.call('ZREM', setKey, unpack(old))
      for _, id in ipairs(old) do removed[#removed + 1] = id end
    end
  end
  deleteJobData(jobsKey, infoKey, resultsKey, removed, dedupKey, entityKey, extras)
  return #removed
end

-- Per-minute counters for rates (`c:<minute>`), kept 61 minutes, and per-hour counters for the
-- 7-day history (`ch:<hour>`), kept 169 hours: the field that falls out of each window is
-- dropped as time moves on (history.lua trims any left behind by an idle gap).
-- (Numbers go into fields and arguments by `%d`: Lua's own number to string, and Redis's for a
-- number argument, are a floating-point `%.14g` / `%.17g`, several times dearer.)
local function countMinute(metricsKey, kind, now, n)
  local minute = math.floor(now / 60000)
  local hour = math.floor(now / 3600000)
  local hourly = string.sub(kind, 1, 1) .. 'h:'
  local by = string.format('%d', n)
  local m = redis.call('HINCRBY', metricsKey, string.format('%s%d', kind, minute), by)
  local h = redis.call('HINCRBY', metricsKey, string.format('%s%d', hourly, hour), by)
  -- a counter just begun (its value is this call's): the one that fell out of its window goes
  if m == n or h == n then
    redis.call('HDEL', metricsKey, string.format('%s%d', kind, minute - 61), string.format('%s%d', hourly, hour - 169))
  end
end
