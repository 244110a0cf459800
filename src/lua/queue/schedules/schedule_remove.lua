--[[
  schedule_remove: removes a schedule and its pending tick job (if not yet due).

  KEYS
    1 delayed    zset  <prefix>:{<queue>}:delayed
    2 jobs       hash  <prefix>:{<queue>}:jobs
    3 sched      hash  <prefix>:{<queue>}:sched
    4 schednext  zset  <prefix>:{<queue>}:schednext
  ARGV
    1 name  schedule name
  Returns
    1 removed; 0 no such schedule
]]
local k = { delayed = KEYS[1], jobs = KEYS[2] }
local schedKey, nextKey = KEYS[3], KEYS[4]
local name = ARGV[1]

local existed = redis.call('HDEL', schedKey, name)
local tick = redis.call('ZSCORE', nextKey, name)
if tick then
  redis.call('ZREM', nextKey, name)
  local id = 'sched:' .. name .. ':' .. tick
  if redis.call('ZREM', k.delayed, id) == 1 then redis.call('HDEL', k.jobs, id) end
end
return existed
