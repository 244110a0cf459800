--[[
  progress: stores the progress a handler reports for a job whose lease it holds (fenced by the
  token), replacing the previous value, and emits a `progress` event while someone listens.

  KEYS
    1 meta      hash    <prefix>:{<queue>}:meta
    2 lease     hash    <prefix>:{<queue>}:lease
    3 progress  hash    <prefix>:{<queue>}:progress
    4 events    stream  <prefix>:{<queue>}:events
  ARGV
    1 id
    2 token  lease token the caller holds
    3 value  JSON (size checked by the caller)
  Returns
    1 stored; 0 rejected: the caller does not hold the lease (fencing)
]]
-- @include time
-- @include events
-- @include extras
local metaKey, leaseKey, progressKey, eventsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, token, value = ARGV[1], ARGV[2], ARGV[3]

if redis.call('HGET', leaseKey, id) ~= token then return 0 end
markExtras(metaKey)
redis.call('HSET', progressKey, id, value)
if listening(metaKey, nowMs()) then emit(eventsKey, 'progress', id, value) end
return 1
