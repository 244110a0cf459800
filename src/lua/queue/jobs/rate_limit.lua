--[[
  rate_limit: a handler said its job's group is rate limited for a while (e.g. a 429): the job
  goes back to its place at the head of its group without counting an attempt, and the group is
  held back until then while other groups go on. A job without a group holds the whole queue
  back (meta `rluntil`) and goes back to the front of waiting.

  KEYS
    1 meta     hash  <prefix>:{<queue>}:meta
    2 wait     list  <prefix>:{<queue>}:wait
    3 prio     zset  <prefix>:{<queue>}:prio
    4 active   zset  <prefix>:{<queue>}:active
    5 jobs     hash  <prefix>:{<queue>}:jobs
    6 lease    hash  <prefix>:{<queue>}:lease
    7 gwait    zset  <prefix>:{<queue>}:gwait
    8 gof      hash  <prefix>:{<queue>}:gof
    9 gready   zset  <prefix>:{<queue>}:gready
   10 glimited zset  <prefix>:{<queue>}:glimited
   11 gstate   hash  <prefix>:{<queue>}:gstate
   12 gage     zset  <prefix>:{<queue>}:gage
  ARGV
    1 id
    2 token    lease token the caller holds
    3 delayMs  integer ms the group (or queue) waits
  Returns
    1 applied; 0 rejected because the caller does not hold the lease (fencing)
]]
-- @include time
-- @include waiting
-- @include records
-- @include groups
local metaKey, waitKey, prioKey, activeKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobsKey, leaseKey = KEYS[5], KEYS[6]
local g = { meta = metaKey, gwait = KEYS[7], gof = KEYS[8], gready = KEYS[9], glimited = KEYS[10], gstate = KEYS[11], gage = KEYS[12] }
local id, token, delayMs = ARGV[1], ARGV[2], tonumber(ARGV[3])

if redis.call('HGET', leaseKey, id) ~= token then return 0 end
local now = nowMs()
redis.call('ZREM', activeKey, id)
redis.call('HDEL', leaseKey, id)
local untilMs = now + delayMs
local member = redis.call('HGET', g.gof, id)
if member then
  limitGroup(g, memberGroup(member), untilMs)
  requeueGrouped(g, member, groupConfig(metaKey), now)
else
  local record = redis.call('HGET', jobsKey, id)
  if record then pushWaiting(metaKey, waitKey, prioKey, id, recordPriority(record), true) end
  local cur = tonumber(redis.call('HGET', metaKey, 'rluntil') or '0')
  if untilMs > cur then redis.call('HSET', metaKey, 'rluntil', untilMs) end
end
return 1
