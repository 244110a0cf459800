--[[
  promote: moves a delayed job to waiting now (a grouped one to the back of its group's line).

  KEYS
    1 meta     hash  <prefix>:{<queue>}:meta
    2 wait     list  <prefix>:{<queue>}:wait
    3 prio     zset  <prefix>:{<queue>}:prio
    4 delayed  zset  <prefix>:{<queue>}:delayed
    5 jobs     hash  <prefix>:{<queue>}:jobs
    6 marker   list  <prefix>:{<queue>}:marker
    7 gwait    zset  <prefix>:{<queue>}:gwait
    8 gof      hash  <prefix>:{<queue>}:gof
    9 gready   zset  <prefix>:{<queue>}:gready
   10 glimited zset  <prefix>:{<queue>}:glimited
   11 gstate   hash  <prefix>:{<queue>}:gstate
   12 gage     zset  <prefix>:{<queue>}:gage
  ARGV
    1 id
  Returns
    1 promoted; 0 no such job; -1 the job exists but is not delayed
]]
-- @include waiting
-- @include records
-- @include time
-- @include groups
local metaKey, waitKey, prioKey, delayedKey, jobsKey, markerKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local id = ARGV[1]
local g = { meta = metaKey, gwait = KEYS[7], gof = KEYS[8], gready = KEYS[9], glimited = KEYS[10], gstate = KEYS[11], gage = KEYS[12] }

local record = redis.call('HGET', jobsKey, id)
if not record then return 0 end
if redis.call('ZREM', delayedKey, id) == 0 then return -1 end
local member = redis.call('HGET', g.gof, id)
if member then
  pushGrouped(g, id, memberGroup(member), recordPriority(record), nil, groupConfig(metaKey), nowMs())
else
  pushWaiting(metaKey, waitKey, prioKey, id, recordPriority(record), false)
end
wakeForWork(markerKey)
return 1
