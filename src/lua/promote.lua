--[[
  promote: moves a delayed job to waiting now.

  KEYS
    1 meta     hash  <prefix>:{<queue>}:meta
    2 wait     list  <prefix>:{<queue>}:wait
    3 prio     zset  <prefix>:{<queue>}:prio
    4 delayed  zset  <prefix>:{<queue>}:delayed
    5 jobs     hash  <prefix>:{<queue>}:jobs
    6 marker   list  <prefix>:{<queue>}:marker
  ARGV
    1 id
  Returns
    1 promoted; 0 no such job; -1 the job exists but is not delayed
]]
-- @include waiting
-- @include records
local metaKey, waitKey, prioKey, delayedKey, jobsKey, markerKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local id = ARGV[1]

local record = redis.call('HGET', jobsKey, id)
if not record then return 0 end
if redis.call('ZREM', delayedKey, id) == 0 then return -1 end
pushWaiting(metaKey, waitKey, prioKey, id, recordPriority(record), false)
wake(markerKey)
return 1
