--[[
  release: returns jobs the caller holds to the front of waiting without counting an attempt or a
  stall (graceful shutdown that ran out of time).

  KEYS
    1 meta    hash  <prefix>:{<queue>}:meta
    2 wait    list  <prefix>:{<queue>}:wait
    3 prio    zset  <prefix>:{<queue>}:prio
    4 active  zset  <prefix>:{<queue>}:active
    5 jobs    hash  <prefix>:{<queue>}:jobs
    6 lease   hash  <prefix>:{<queue>}:lease
    7 marker  list  <prefix>:{<queue>}:marker
  ARGV
    id, token per job
  Returns
    number of jobs released (those whose lease the caller still held)
]]
-- @include waiting
-- @include records
local metaKey, waitKey, prioKey, activeKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobsKey, leaseKey, markerKey = KEYS[5], KEYS[6], KEYS[7]

local released = 0
for i = 1, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  if redis.call('HGET', leaseKey, id) == token then
    redis.call('ZREM', activeKey, id)
    redis.call('HDEL', leaseKey, id)
    local record = redis.call('HGET', jobsKey, id)
    if record then pushWaiting(metaKey, waitKey, prioKey, id, recordPriority(record), true) end
    released = released + 1
  end
end
if released > 0 then wake(markerKey) end
return released
