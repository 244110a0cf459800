-- Shared helpers for queue scripts. Included with `-- @include common`.

-- Redis's own clock in ms: one time source for every deadline, whatever the workers' clocks say.
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A job record is `#<created ms, base 36>|<priority>|<name>|<options JSON>|<data JSON>` (layout
-- 2; layout 1 was `<created ms>|<priority>|<body JSON>`). The header lets scripts read what they
-- need without decoding JSON.
local function recordPriority(record)
  local p = string.match(record, '^#?%w+|(-?%d+)|')
  return tonumber(p) or 0
end

-- Created time (ms) of a record of either layout.
local function recordCreated(record)
  local v2 = string.match(record, '^#(%w+)|')
  if v2 then return tonumber(v2, 36) end
  return tonumber(string.match(record, '^(%d+)|'))
end

-- The stored options of a record of either layout, decoded (nil when it has none).
local function recordOptions(record)
  if string.byte(record, 1) == 35 then
    local opts = string.match(record, '^#%w+|%-?%d+|[^|]*|([^|]*)|')
    if opts and opts ~= '' then return cjson.decode(opts) end
    return nil
  end
  return cjson.decode(string.match(record, '^%d+|%-?%d+|(.*)$')).o
end

-- Score of a prioritised waiting job: higher priority first, then FIFO by a per-queue sequence.
local PRIO_SPAN = 4294967296

-- Puts `id` in the waiting structures: the `wait` list (default priority 0) or the `prio` zset.
-- `front` puts it next in line among its priority (used for stalled and released jobs).
local function pushWaiting(metaKey, waitKey, prioKey, id, priority, front)
  if priority == 0 then
    if front then redis.call('RPUSH', waitKey, id) else redis.call('LPUSH', waitKey, id) end
  else
    local seq = redis.call('HINCRBY', metaKey, 'seq', 1)
    if front then seq = -seq end
    redis.call('ZADD', prioKey, -priority * PRIO_SPAN + seq, id)
  end
end

-- Wakes one blocked worker, unless a wake-up is already pending.
local function wake(markerKey)
  if redis.call('LLEN', markerKey) == 0 then redis.call('LPUSH', markerKey, '1') end
end

-- True while some client listens to queue events (it renews `evlisten` in `meta`).
local function listening(metaKey, now)
  local untilMs = redis.call('HGET', metaKey, 'evlisten')
  return untilMs and tonumber(untilMs) > now
end

local function emit(eventsKey, event, id, extra)
  if extra then
    redis.call('XADD', eventsKey, 'MAXLEN', '~', 10000, '*', 'e', event, 'id', id, 'x', extra)
  else
    redis.call('XADD', eventsKey, 'MAXLEN', '~', 10000, '*', 'e', event, 'id', id)
  end
end

-- Releases the de-duplication keys still held by `ids` (a job holds its key until its data is
-- deleted; `add` treats a finished holder as free unless within the caller's TTL). Queues that
-- never used a dedup key pay one HLEN.
local function releaseDedup(jobsKey, dedupKey, ids)
  if not dedupKey or redis.call('HLEN', dedupKey) == 0 then return end
  local records = redis.call('HMGET', jobsKey, unpack(ids))
  for i, id in ipairs(ids) do
    local record = records[i]
    if record and string.find(record, '"dedupKey":', 1, true) then
      local opts = recordOptions(record)
      local key = opts and opts.dedupKey
      if key and redis.call('HGET', dedupKey, key) == id then redis.call('HDEL', dedupKey, key) end
    end
  end
end

-- Deletes the per-job fields of `ids` from the job hashes (and the dedup keys they hold).
local function deleteJobData(jobsKey, infoKey, resultsKey, ids, dedupKey)
  if #ids == 0 then return end
  releaseDedup(jobsKey, dedupKey, ids)
  redis.call('HDEL', jobsKey, unpack(ids))
  -- Per-job state and results exist only for some jobs: one HLEN spares the HDEL of each id.
  if redis.call('HLEN', infoKey) > 0 then redis.call('HDEL', infoKey, unpack(ids)) end
  if resultsKey and redis.call('HLEN', resultsKey) > 0 then redis.call('HDEL', resultsKey, unpack(ids)) end
end

-- Retention of a finished set (completed or failed): keep at most `keepCount` entries and none
-- older than `keepAgeMs` (0 = no age limit). Removes at most 1000 per call, so the cost of one
-- call is bounded; every finishing call trims a little, so the set never grows past its bound for
-- long.
local function trimFinished(setKey, jobsKey, infoKey, resultsKey, now, keepCount, keepAgeMs, dedupKey)
  local removed = {}
  local excess = redis.call('ZCARD', setKey) - keepCount
  if excess > 0 then
    local popped = redis.call('ZPOPMIN', setKey, math.min(excess, 1000))
    for i = 1, #popped, 2 do removed[#removed + 1] = popped[i] end
  end
  if keepAgeMs > 0 then
    local old = redis.call('ZRANGEBYSCORE', setKey, '-inf', now - keepAgeMs, 'LIMIT', 0, 1000)
    if #old > 0 then
      redis.call('ZREM', setKey, unpack(old))
      for _, id in ipairs(old) do removed[#removed + 1] = id end
    end
  end
  deleteJobData(jobsKey, infoKey, resultsKey, removed, dedupKey)
end

-- Per-minute counters for rates; the field of 61 minutes ago is dropped as time moves on.
local function countMinute(metricsKey, kind, now, n)
  local minute = math.floor(now / 60000)
  redis.call('HINCRBY', metricsKey, kind .. minute, n)
  redis.call('HDEL', metricsKey, kind .. (minute - 61))
end
