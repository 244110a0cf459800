--[[
  add: adds one or more jobs atomically (idempotent per caller-given id).

  KEYS
    1 meta     hash  <prefix>:{<queue>}:meta
    2 wait     list  <prefix>:{<queue>}:wait
    3 prio     zset  <prefix>:{<queue>}:prio
    4 delayed  zset  <prefix>:{<queue>}:delayed
    5 jobs     hash  <prefix>:{<queue>}:jobs
    6 marker   list  <prefix>:{<queue>}:marker
    7 events   stream <prefix>:{<queue>}:events
  ARGV
    1 schema version (integer)
    2 job count N
    then per job, 4 values:
      id        string, '' for an auto id (a decimal counter from meta.id)
      priority  integer, 0 = default
      delayMs   integer ms from now (Redis clock); <= 0 = run now
      body      string, the JSON body of the record
  Returns
    flat array: id, created (1 = added now, 0 = a job with that id already exists), per job
]]
-- @include common
local metaKey, waitKey, prioKey, delayedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobsKey, markerKey, eventsKey = KEYS[5], KEYS[6], KEYS[7]
local schemaVersion = ARGV[1]
local count = tonumber(ARGV[2])

local now = nowMs()
redis.call('HSETNX', metaKey, 'v', schemaVersion)
local notify = listening(metaKey, now)
local out = {}
local addedWaiting = false
for i = 0, count - 1 do
  local base = 3 + i * 4
  local id, priority, delayMs, body = ARGV[base], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), ARGV[base + 3]
  local created = 1
  if id == '' then
    id = tostring(redis.call('HINCRBY', metaKey, 'id', 1))
  elseif redis.call('HEXISTS', jobsKey, id) == 1 then
    created = 0
  end
  if created == 1 then
    redis.call('HSET', jobsKey, id, now .. '|' .. priority .. '|' .. body)
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
