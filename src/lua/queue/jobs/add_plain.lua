--[[
  add_plain: adds N jobs with automatic ids, default priority, no delay, de-dup key, entity or
  group (the common `addBulk` chunk): the same records, wait list, events and wake-up as `add`
  makes for such jobs, with one value per job in and one number out (a test compares the two
  scripts' state for the same jobs).

  KEYS
    1 meta     hash   <prefix>:{<queue>}:meta
    2 wait     list   <prefix>:{<queue>}:wait
    3 jobs     hash   <prefix>:{<queue>}:jobs
    4 marker   list   <prefix>:{<queue>}:marker
    5 events   stream <prefix>:{<queue>}:events
  ARGV
    1 schema version (integer)
    2 createdTag: `#` + now in base 36, the records' header; now (ms) is the producer's
      calibrated reading of Redis's clock (as in `add`), read back from it only when events are
      listened to
    3… one per job, in order: body, the record after its header: `<name>|<options JSON>|<data JSON>`
  Returns
    the id of the first job (an integer); the N jobs have the N consecutive ids from it
]]
-- @include wake
-- @include emit
local metaKey, waitKey, jobsKey, markerKey, eventsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local count, head = #ARGV - 2, ARGV[2] .. '|0|'

local meta = redis.call('HMGET', metaKey, 'v', 'evlisten')
if not meta[1] then redis.call('HSET', metaKey, 'v', ARGV[1]) end
local notify = meta[2] and tonumber(meta[2]) > tonumber(string.sub(ARGV[2], 2), 36)

local first = redis.call('HINCRBY', metaKey, 'id', string.format('%d', count)) - count + 1
if count == 1 then -- a single add: no tables to build and unpack
  local id = string.format('%d', first)
  redis.call('HSET', jobsKey, id, head .. ARGV[3])
  redis.call('LPUSH', waitKey, id)
  if notify then emit(eventsKey, 'waiting', id) end
  wakeForWork(markerKey)
  return first
end
local records, ids = {}, {}
for i = 1, count do
  local id = string.format('%d', first + i - 1)
  ids[i] = id
  records[2 * i - 1] = id
  records[2 * i] = head .. ARGV[2 + i]
end
redis.call('HSET', jobsKey, unpack(records))
redis.call('LPUSH', waitKey, unpack(ids))
if notify then
  for i = 1, count do emit(eventsKey, 'waiting', ids[i]) end
end
wakeForWork(markerKey)
return first
