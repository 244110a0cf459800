--[[
  rerun: moves a completed job back to waiting to run again, with a fresh attempt count (its
  attempt history is kept, its return value dropped); a grouped job joins the back of its
  group's line.

  KEYS
    1 meta      hash  <prefix>:{<queue>}:meta
    2 wait      list  <prefix>:{<queue>}:wait
    3 prio      zset  <prefix>:{<queue>}:prio
    4 completed zset  <prefix>:{<queue>}:completed
    5 jobs      hash  <prefix>:{<queue>}:jobs
    6 info      hash  <prefix>:{<queue>}:info
    7 results   hash  <prefix>:{<queue>}:results
    8 marker    list  <prefix>:{<queue>}:marker
    9 gwait     zset  <prefix>:{<queue>}:gwait
   10 gof       hash  <prefix>:{<queue>}:gof
   11 gready    zset  <prefix>:{<queue>}:gready
   12 glimited  zset  <prefix>:{<queue>}:glimited
   13 gstate    hash  <prefix>:{<queue>}:gstate
   14 gage      zset  <prefix>:{<queue>}:gage
  ARGV
    1 id
  Returns
    1 moved to waiting; 0 no such job; -1 the job is not completed
]]
-- @include waiting
-- @include records
-- @include time
-- @include groups
local metaKey, waitKey, prioKey, completedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobsKey, infoKey, resultsKey, markerKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local g = { meta = metaKey, gwait = KEYS[9], gof = KEYS[10], gready = KEYS[11], glimited = KEYS[12], gstate = KEYS[13], gage = KEYS[14] }
local id = ARGV[1]

local record = redis.call('HGET', jobsKey, id)
if not record then return 0 end
if redis.call('ZREM', completedKey, id) == 0 then return -1 end
local raw = redis.call('HGET', infoKey, id)
local info = raw and cjson.decode(raw) or {}
info.attempts = 0
info.stalls = 0
info.failedReason = nil
info.rerunByHand = (info.rerunByHand or 0) + 1
redis.call('HSET', infoKey, id, cjson.encode(info))
redis.call('HDEL', resultsKey, id)
local opts = string.find(record, '"group":', 1, true) and recordOptions(record)
local group = opts and opts.group
if type(group) == 'string' then
  redis.call('HSET', metaKey, 'g', '1')
  pushGrouped(g, id, group, recordPriority(record), nil, groupConfig(metaKey), nowMs())
else
  pushWaiting(metaKey, waitKey, prioKey, id, recordPriority(record), false)
end
wakeForWork(markerKey)
return 1
