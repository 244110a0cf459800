--[[
  change_delay: moves a delayed job's due time to `delayMs` from now (Redis clock), and wakes a
  worker so the delay timers re-arm for it. Only a delayed job: a waiting, active or finished one
  is refused.

  KEYS
    1 delayed  zset  <prefix>:{<queue>}:delayed
    2 jobs     hash  <prefix>:{<queue>}:jobs
    3 marker   list  <prefix>:{<queue>}:marker
  ARGV
    1 id
    2 delayMs  integer ms from now (Redis clock); 0 = due now
  Returns
    the new due time (ms, > 0); 0 no such job; -1 the job is not delayed
]]
-- @include waiting
-- @include time
local delayedKey, jobsKey, markerKey = KEYS[1], KEYS[2], KEYS[3]
local id, delayMs = ARGV[1], tonumber(ARGV[2])

if redis.call('HEXISTS', jobsKey, id) == 0 then return 0 end
if not redis.call('ZSCORE', delayedKey, id) then return -1 end
local dueAt = nowMs() + delayMs
redis.call('ZADD', delayedKey, dueAt, id)
wake(markerKey)
return dueAt
