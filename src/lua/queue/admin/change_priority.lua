--[[
  change_priority: sets the priority of a job that is not active. A waiting job moves to the
  back of its new priority (a grouped one keeps its place in enqueue order inside its group); a
  delayed or finished job only has its record changed (used when it next waits). A default-
  priority job inside the `wait` list leaves a tombstone there (see includes/tombstones.lua), as
  `remove` does: no list walk.

  KEYS
    1 meta   hash  <prefix>:{<queue>}:meta
    2 wait   list  <prefix>:{<queue>}:wait
    3 prio   zset  <prefix>:{<queue>}:prio
    4 jobs   hash  <prefix>:{<queue>}:jobs
    5 lease  hash  <prefix>:{<queue>}:lease
    6 tomb   hash  <prefix>:{<queue>}:tomb
    7 delayed zset <prefix>:{<queue>}:delayed
    8 gwait  zset  <prefix>:{<queue>}:gwait
    9 gof    hash  <prefix>:{<queue>}:gof
   10 gage   zset  <prefix>:{<queue>}:gage
   11 completed zset <prefix>:{<queue>}:completed
   12 failed zset  <prefix>:{<queue>}:failed
  ARGV
    1 id
    2 priority  integer, -1000…1000
  Returns
    1 changed; 0 no such job; -1 the job is active
]]
-- @include waiting
-- @include records
-- @include groups
local metaKey, waitKey, prioKey, jobsKey, leaseKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local tombKey, delayedKey, completedKey, failedKey = KEYS[6], KEYS[7], KEYS[11], KEYS[12]
local g = { meta = metaKey, gwait = KEYS[8], gof = KEYS[9], gage = KEYS[10] }
local id, priority = ARGV[1], tonumber(ARGV[2])

local record = redis.call('HGET', jobsKey, id)
if not record then return 0 end
if redis.call('HEXISTS', leaseKey, id) == 1 then return -1 end
local old = recordPriority(record)
local head, rest = string.match(record, '^(#?[%w.]+|)%-?%d+(|.*)$')
redis.call('HSET', jobsKey, id, head .. priority .. rest)
if old == priority or redis.call('ZSCORE', delayedKey, id) or redis.call('ZSCORE', completedKey, id)
  or redis.call('ZSCORE', failedKey, id) then return 1 end

local member = redis.call('HGET', g.gof, id)
if member then
  -- grouped and waiting (a delayed one's `gof` value has no seq and is not in `gwait`)
  if redis.call('ZREM', g.gwait, member) == 1 then
    redis.call('ZREM', g.gage, member)
    local group = memberGroup(member)
    local seq = tonumber(string.sub(member, #group + 6, #group + 21))
    local m = groupMember(group, priority, seq, id)
    addWaitMember(g, m, group)
    redis.call('HSET', g.gof, id, m)
  end
  return 1
end
-- waiting, not grouped: in `prio`, or (default priority) in the `wait` list
if old ~= 0 then
  redis.call('ZREM', prioKey, id)
elseif redis.call('LINDEX', waitKey, -1) == id then
  redis.call('RPOP', waitKey)
elseif redis.call('LINDEX', waitKey, 0) == id then
  redis.call('LPOP', waitKey)
else
  redis.call('HINCRBY', tombKey, id, 1)
  redis.call('HINCRBY', metaKey, 'tombs', 1)
end
pushWaiting(metaKey, waitKey, prioKey, id, priority, false)
return 1
