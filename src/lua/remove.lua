--[[
  remove: deletes a job that is not active (waiting, delayed, completed or failed). O(1) for a
  waiting job of default priority (O(log n) for a grouped one, from its group's line): unless
  it is at an end of the `wait` list, its id stays there
  as a tombstone (see includes/tombstones.lua) that fetch and clear drop.

  KEYS
    1 wait       list  <prefix>:{<queue>}:wait
    2 prio       zset  <prefix>:{<queue>}:prio
    3 delayed    zset  <prefix>:{<queue>}:delayed
    4 completed  zset  <prefix>:{<queue>}:completed
    5 failed     zset  <prefix>:{<queue>}:failed
    6 jobs       hash  <prefix>:{<queue>}:jobs
    7 info       hash  <prefix>:{<queue>}:info
    8 results    hash  <prefix>:{<queue>}:results
    9 lease      hash  <prefix>:{<queue>}:lease
   10 dedup      hash  <prefix>:{<queue>}:dedup
   11 meta       hash  <prefix>:{<queue>}:meta
   12 tomb       hash  <prefix>:{<queue>}:tomb
   13 entity     zset  <prefix>:{<queue>}:entity
   14 gwait    zset    <prefix>:{<queue>}:gwait
   15 gof      hash    <prefix>:{<queue>}:gof
   16 gready   zset    <prefix>:{<queue>}:gready
   17 glimited zset    <prefix>:{<queue>}:glimited
   18 gstate   hash    <prefix>:{<queue>}:gstate
   19 gage     zset    <prefix>:{<queue>}:gage
  ARGV
    1 id
  Returns
    1 removed; 0 no such job; -1 the job is active (held by a worker) and was left alone
]]
-- @include retention
local waitKey, prioKey, delayedKey, completedKey, failedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local jobsKey, infoKey, resultsKey, leaseKey, dedupKey = KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local metaKey, tombKey, entityKey = KEYS[11], KEYS[12], KEYS[13]
local id = ARGV[1]
local g = { meta = metaKey, gwait = KEYS[14], gof = KEYS[15], gready = KEYS[16], glimited = KEYS[17], gstate = KEYS[18], gage = KEYS[19] }

if redis.call('HEXISTS', jobsKey, id) == 0 then return 0 end
if redis.call('HEXISTS', leaseKey, id) == 1 then return -1 end
local member = redis.call('HGET', g.gof, id)
if member then
  -- grouped: waiting in its group's line (O(log n)) or delayed
  if redis.call('ZREM', g.gwait, member) == 0 then redis.call('ZREM', delayedKey, id) end
  redis.call('ZREM', g.gage, member)
  redis.call('HDEL', g.gof, id)
elseif redis.call('ZREM', prioKey, id) == 0 and redis.call('ZREM', delayedKey, id) == 0
  and redis.call('ZREM', completedKey, id) == 0 and redis.call('ZREM', failedKey, id) == 0 then
  -- waiting at default priority: LREM would walk the list
  if redis.call('LINDEX', waitKey, -1) == id then
    redis.call('RPOP', waitKey)
  elseif redis.call('LINDEX', waitKey, 0) == id then
    redis.call('LPOP', waitKey)
  else
    redis.call('HINCRBY', tombKey, id, 1)
    redis.call('HINCRBY', metaKey, 'tombs', 1)
  end
end
deleteJobData(jobsKey, infoKey, resultsKey, { id }, dedupKey, entityKey)
return 1
