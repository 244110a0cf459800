--[[
  add: adds one or more jobs atomically (idempotent per caller-given id; de-duplicated per dedup
  key while the job holding the key is unfinished, or finished less than the caller's TTL ago).

  KEYS
    1 meta     hash  <prefix>:{<queue>}:meta
    2 wait     list  <prefix>:{<queue>}:wait
    3 prio     zset  <prefix>:{<queue>}:prio
    4 delayed  zset  <prefix>:{<queue>}:delayed
    5 jobs     hash  <prefix>:{<queue>}:jobs
    6 marker   list  <prefix>:{<queue>}:marker
    7 events     stream <prefix>:{<queue>}:events
    8 completed  zset   <prefix>:{<queue>}:completed
    9 failed     zset   <prefix>:{<queue>}:failed
   10 dedup      hash   <prefix>:{<queue>}:dedup
  ARGV
    1 schema version (integer)
    2 job count N
    then per job, 6 values:
      id          string, '' for an auto id (a decimal counter from meta.id)
      priority    integer, 0 = default
      delayMs     integer ms from now (Redis clock); <= 0 = run now
      dedupKey    string, '' for none
      dedupTtlMs  integer ms a finished holder still de-duplicates (0 = only while unfinished)
      body        string, the JSON body of the record
  Returns
    flat array: id, created per job (1 = added now; 0 = an existing job was returned: one with
    that id, or the unfinished (or recently finished) holder of that dedup key)
]]
-- @include common
local metaKey, waitKey, prioKey, delayedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobsKey, markerKey, eventsKey = KEYS[5], KEYS[6], KEYS[7]
local completedKey, failedKey, dedupKey = KEYS[8], KEYS[9], KEYS[10]
local schemaVersion = ARGV[1]
local count = tonumber(ARGV[2])

local now = nowMs()
redis.call('HSETNX', metaKey, 'v', schemaVersion)
local notify = listening(metaKey, now)
local out = {}
local addedWaiting = false
-- The job that holds `key` and still de-duplicates (unfinished, or finished within `ttlMs`).
local function dedupHolder(key, ttlMs)
  local holder = redis.call('HGET', dedupKey, key)
  if not holder or redis.call('HEXISTS', jobsKey, holder) == 0 then return nil end
  local finished = redis.call('ZSCORE', completedKey, holder) or redis.call('ZSCORE', failedKey, holder)
  if not finished or now - tonumber(finished) < ttlMs then return holder end
  return nil
end

for i = 0, count - 1 do
  local base = 3 + i * 6
  local id, priority, delayMs = ARGV[base], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  local dedup, dedupTtlMs, body = ARGV[base + 3], tonumber(ARGV[base + 4]), ARGV[base + 5]
  local created = 1
  local holder = dedup ~= '' and dedupHolder(dedup, dedupTtlMs)
  if holder then
    id = holder
    created = 0
  elseif id == '' then
    id = tostring(redis.call('HINCRBY', metaKey, 'id', 1))
  elseif redis.call('HEXISTS', jobsKey, id) == 1 then
    created = 0
  end
  if created == 1 then
    redis.call('HSET', jobsKey, id, now .. '|' .. priority .. '|' .. body)
    if dedup ~= '' then redis.call('HSET', dedupKey, dedup, id) end
    if delayMs > 0 then
      local dueAt = now + delayMs
      redis.call('ZADD', delayedKey, dueAt, id)
      -- A new earliest due time: wake a worker so it re-arms its timer for it.
      local head = redis.call('ZRANGE', delayedKey, 0, 0)
      if head[1] == id then redis.call('LPUSH', markerKey, '1') end
      if notify then emit(eventsKey, 'delayed', id, tostring(dueAt)) end
    else
      pushWaiting(metaKey, waitKey, prioKey, id, priority, false)
      addedWaiting = true
      if notify then emit(eventsKey, 'waiting', id) end
    end
  end
  out[#out + 1] = id
  out[#out + 1] = created
end
if addedWaiting then wake(markerKey) end
return out
