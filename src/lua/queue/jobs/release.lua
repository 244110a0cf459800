--[[
  release: returns jobs the caller holds to the front of waiting without counting an attempt or a
  stall (graceful shutdown that ran out of time); a grouped job to its old place in its group; a
  job taken ahead of its due time (its token starts after now, see fetch.lua's leaseAhead) back
  to `delayed` at that time, so no worker starts it early.

  KEYS
    1 meta    hash  <prefix>:{<queue>}:meta
    2 wait    list  <prefix>:{<queue>}:wait
    3 prio    zset  <prefix>:{<queue>}:prio
    4 active  zset  <prefix>:{<queue>}:active
    5 jobs    hash  <prefix>:{<queue>}:jobs
    6 lease   hash  <prefix>:{<queue>}:lease
    7 marker  list  <prefix>:{<queue>}:marker
    8 gwait    zset  <prefix>:{<queue>}:gwait
    9 gof      hash  <prefix>:{<queue>}:gof
   10 gready   zset  <prefix>:{<queue>}:gready
   11 glimited zset  <prefix>:{<queue>}:glimited
   12 gstate   hash  <prefix>:{<queue>}:gstate
   13 gage     zset  <prefix>:{<queue>}:gage
   14 delayed  zset  <prefix>:{<queue>}:delayed
  ARGV
    id, token per job
  Returns
    number of jobs released (those whose lease the caller still held)
]]
-- @include waiting
-- @include records
-- @include time
-- @include groups
local metaKey, waitKey, prioKey, activeKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobsKey, leaseKey, markerKey = KEYS[5], KEYS[6], KEYS[7]
local g = { meta = metaKey, gwait = KEYS[8], gof = KEYS[9], gready = KEYS[10], glimited = KEYS[11], gstate = KEYS[12], gage = KEYS[13] }

local released, requeued = 0, 0
local anyGrouped = redis.call('HLEN', g.gof) > 0
local cfg = anyGrouped and groupConfig(metaKey)
local now = nowMs()
local delayedKey, earliest = KEYS[14], nil
for i = 1, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  if redis.call('HGET', leaseKey, id) == token then
    redis.call('ZREM', activeKey, id)
    redis.call('HDEL', leaseKey, id)
    local record = redis.call('HGET', jobsKey, id)
    local member = anyGrouped and redis.call('HGET', g.gof, id)
    if member then
      if record then requeueGrouped(g, member, cfg, now) else finishGrouped(g, id, member, cfg, now) end
      requeued = requeued + 1
    elseif record then
      local start = tokenStart(token)
      if start and start > now then
        redis.call('ZADD', delayedKey, string.format('%d', start), id)
        if not earliest or start < earliest then earliest = start end
      else
        pushWaiting(metaKey, waitKey, prioKey, id, recordPriority(record), true)
        requeued = requeued + 1
      end
    end
    released = released + 1
  end
end
if requeued > 0 then wakeForWork(markerKey) end
-- a worker armed for a later due time re-arms (a release is rare: no check of the old head)
if earliest then wake(markerKey) end
return released
