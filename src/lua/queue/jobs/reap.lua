--[[
  reap: recovers jobs whose lease expired (their worker died or hung): each is counted as a stall
  and returned to the front of waiting (a grouped job to its old place at the head of its group). A job that stalled more than `maxStalls` times is instead
  taken over under a new lease by the caller, which then records it as a failed attempt (through
  `fail`, so the retry policy applies).

  KEYS
    1 meta     hash   <prefix>:{<queue>}:meta
    2 wait     list   <prefix>:{<queue>}:wait
    3 prio     zset   <prefix>:{<queue>}:prio
    4 active   zset   <prefix>:{<queue>}:active
    5 jobs     hash   <prefix>:{<queue>}:jobs
    6 info     hash   <prefix>:{<queue>}:info
    7 lease    hash   <prefix>:{<queue>}:lease
    8 marker   list   <prefix>:{<queue>}:marker
    9 events   stream <prefix>:{<queue>}:events
   10 gwait    zset   <prefix>:{<queue>}:gwait
   11 gof      hash   <prefix>:{<queue>}:gof
   12 gready   zset   <prefix>:{<queue>}:gready
   13 glimited zset   <prefix>:{<queue>}:glimited
   14 gstate   hash   <prefix>:{<queue>}:gstate
   15 gage     zset   <prefix>:{<queue>}:gage
  ARGV
    1 maxStalls  integer
    2 leaseMs    integer ms, lease for taken-over jobs
    3 tokenBase  string, token base for taken-over jobs
    4 limit      integer, most jobs handled per call
  Returns
    nRequeued, requeued ids..., then id, token, record, info per taken-over job
]]
-- @include time
-- @include events
-- @include waiting
-- @include records
-- @include groups
local metaKey, waitKey, prioKey, activeKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobsKey, infoKey, leaseKey, markerKey, eventsKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local maxStalls, leaseMs, tokenBase, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local g = { meta = metaKey, gwait = KEYS[10], gof = KEYS[11], gready = KEYS[12], glimited = KEYS[13], gstate = KEYS[14], gage = KEYS[15] }

local now = nowMs()
local expired = redis.call('ZRANGEBYSCORE', activeKey, '-inf', now, 'LIMIT', 0, limit)
local requeued, takenOver = {}, {}
local notify = listening(metaKey, now)
local anyGrouped = redis.call('HLEN', g.gof) > 0
local cfg = anyGrouped and groupConfig(metaKey)
for _, id in ipairs(expired) do
  local record = redis.call('HGET', jobsKey, id)
  local member = anyGrouped and redis.call('HGET', g.gof, id)
  local info = {}
  if record then
    -- only a job that still exists gets its stall counted (no orphan `info` field otherwise)
    local raw = redis.call('HGET', infoKey, id)
    info = raw and cjson.decode(raw) or {}
    info.stalls = (info.stalls or 0) + 1
    info.totalStalls = (info.totalStalls or 0) + 1
    redis.call('HSET', infoKey, id, cjson.encode(info))
  end
  if not record then
    redis.call('ZREM', activeKey, id)
    redis.call('HDEL', leaseKey, id)
    redis.call('HDEL', infoKey, id)
    if member then finishGrouped(g, id, member, cfg, now) end
  elseif info.stalls > maxStalls then
    local token = tokenBase .. ':' .. (#takenOver / 4 + 1)
    redis.call('ZADD', activeKey, now + leaseMs, id)
    redis.call('HSET', leaseKey, id, token)
    takenOver[#takenOver + 1] = id
    takenOver[#takenOver + 1] = token
    takenOver[#takenOver + 1] = record
    takenOver[#takenOver + 1] = cjson.encode(info)
  else
    redis.call('ZREM', activeKey, id)
    redis.call('HDEL', leaseKey, id)
    if member then requeueGrouped(g, member, cfg, now)
    else pushWaiting(metaKey, waitKey, prioKey, id, recordPriority(record), true) end
    requeued[#requeued + 1] = id
    if notify then emit(eventsKey, 'stalled', id) end
  end
end
if #requeued > 0 then wakeForWork(markerKey) end

local out = { #requeued }
for _, id in ipairs(requeued) do out[#out + 1] = id end
for _, v in ipairs(takenOver) do out[#out + 1] = v end
return out
