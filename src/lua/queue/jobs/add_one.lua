--[[
  add_one: adds ONE job with no de-dup key, entity or group (the common single `add`): the same
  records, waiting structures, events and wake-ups as `add` makes for such a job, with the few
  keys and values it needs (a test compares the two scripts' state for the same jobs).

  KEYS
    1 meta     hash   <prefix>:{<queue>}:meta
    2 wait     list   <prefix>:{<queue>}:wait
    3 prio     zset   <prefix>:{<queue>}:prio
    4 delayed  zset   <prefix>:{<queue>}:delayed
    5 jobs     hash   <prefix>:{<queue>}:jobs
    6 marker   list   <prefix>:{<queue>}:marker
    7 events   stream <prefix>:{<queue>}:events
  ARGV
    1 schema version (integer)
    2 now (ms): the producer's calibrated reading of Redis's clock (as in `add`)
    3 createdTag: `#` + now in base 36, the record's header
    4 id          string, '' for an auto id (a decimal counter from meta.id)
    5 priority    integer, 0 = default
    6 delayMs     integer ms from now; <= 0 = run now
    7 body        string, the record after its header: `<name>|<options JSON>|<data JSON>`
  Returns
    { id, created } (1 = added now; 0 = a job with that id exists and was left alone)
]]
-- @include waiting
-- @include emit
-- @include base36
local metaKey, waitKey, prioKey, delayedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobsKey, markerKey, eventsKey = KEYS[5], KEYS[6], KEYS[7]
local now, id, priority, delayMs = tonumber(ARGV[2]), ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])

local meta = redis.call('HMGET', metaKey, 'v', 'evlisten')
if not meta[1] then redis.call('HSET', metaKey, 'v', ARGV[1]) end
local notify = meta[2] and tonumber(meta[2]) > now

if id == '' then
  id = string.format('%d', redis.call('HINCRBY', metaKey, 'id', '1'))
elseif redis.call('HEXISTS', jobsKey, id) == 1 then
  return { id, 0 }
end

if delayMs > 0 then
  -- the job's place in enqueue order, as `add` writes it: `#<created>.<seq, base 36>`
  local tag = base36(redis.call('HINCRBY', metaKey, 'seq', 1))
  redis.call('HSET', jobsKey, id, ARGV[3] .. '.' .. tag .. '|' .. string.format('%d', priority) .. '|' .. ARGV[7])
  local dueAt = string.format('%d', now + delayMs)
  local earliest = redis.call('ZRANGE', delayedKey, 0, 0, 'WITHSCORES')[2]
  redis.call('ZADD', delayedKey, dueAt, id)
  if notify then emit(eventsKey, 'delayed', id, dueAt) end
  -- a new earliest due time: wake a worker so it re-arms its timer for it
  if not earliest or now + delayMs < tonumber(earliest) then wake(markerKey) end
  return { id, 1 }
end

redis.call('HSET', jobsKey, id, ARGV[3] .. '|' .. string.format('%d', priority) .. '|' .. ARGV[7])
if priority == 0 then
  redis.call('LPUSH', waitKey, id)
else
  pushWaiting(metaKey, waitKey, prioKey, id, priority, false)
end
if notify then emit(eventsKey, 'waiting', id) end
wakeForWork(markerKey)
return { id, 1 }
