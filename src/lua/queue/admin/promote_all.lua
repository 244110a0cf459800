--[[
  promote_all: moves up to `limit` delayed jobs (soonest due first) to waiting now, each as
  `promote` does (a grouped one to the back of its group's line); the caller repeats until a
  call moves fewer than `limit`.

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
    1 limit  integer, jobs at most per call
  Returns
    number of delayed entries taken by this call (jobs promoted, plus entries whose job was gone)
]]
-- @include waiting
-- @include records
-- @include time
-- @include groups
local metaKey, waitKey, prioKey, delayedKey, jobsKey, markerKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local limit = tonumber(ARGV[1])
local g = { meta = metaKey, gwait = KEYS[7], gof = KEYS[8], gready = KEYS[9], glimited = KEYS[10], gstate = KEYS[11], gage = KEYS[12] }

local popped = redis.call('ZPOPMIN', delayedKey, limit)
local cfg, now
for i = 1, #popped, 2 do
  local id = popped[i]
  local record = redis.call('HGET', jobsKey, id)
  if record then
    local member = redis.call('HGET', g.gof, id)
    if member then
      cfg = cfg or groupConfig(metaKey)
      now = now or nowMs()
      pushGrouped(g, id, memberGroup(member), recordPriority(record), nil, cfg, now)
    else
      pushWaiting(metaKey, waitKey, prioKey, id, recordPriority(record), false)
    end
  end
end
if #popped > 0 then wakeForWork(markerKey) end
return #popped / 2
