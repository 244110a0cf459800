--[[
  stats: one consistent snapshot of a queue's counts and rates.

  KEYS
    1 meta       hash  <prefix>:{<queue>}:meta
    2 wait       list  <prefix>:{<queue>}:wait
    3 prio       zset  <prefix>:{<queue>}:prio
    4 delayed    zset  <prefix>:{<queue>}:delayed
    5 active     zset  <prefix>:{<queue>}:active
    6 completed  zset  <prefix>:{<queue>}:completed
    7 failed     zset  <prefix>:{<queue>}:failed
    8 jobs       hash  <prefix>:{<queue>}:jobs
    9 metrics    hash  <prefix>:{<queue>}:metrics
   10 tomb       hash  <prefix>:{<queue>}:tomb
   11 gwait      zset  <prefix>:{<queue>}:gwait
   12 gage       zset  <prefix>:{<queue>}:gage
  ARGV
    (none)
  Returns
    now, waiting (plain and grouped), active, delayed, completed, failed, paused (0/1), completedTotal, failedTotal,
    oldestWaitingCreatedMs (creation time of the oldest job at the head of a waiting line: the
    default list, the levels above it, the levels below it, the grouped jobs by seq; -1 if none), then 60 completed
    counts and 60 failed counts for the minutes before the current one (oldest first), then the
    current minute's completed, failed
]]
-- @include time
-- @include records
local metaKey, waitKey, prioKey, delayedKey, activeKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local completedKey, failedKey, jobsKey, metricsKey, tombKey = KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local gwaitKey, gageKey = KEYS[11], KEYS[12]

local now = nowMs()
local meta = redis.call('HMGET', metaKey, 'paused', 'completed', 'failed', 'tombs')
local tombs = tonumber(meta[4] or '0')
local oldest = -1
local candidates = {}
local tail = redis.call('LINDEX', waitKey, -1)
if tail and tombs > 0 then
  -- removed jobs leave tombstones (the oldest entries of their id): the oldest live one is the
  -- first entry from the tail that is not one (looked for among the last 100)
  local window = redis.call('LRANGE', waitKey, -math.min(tombs + 1, 100), -1)
  local counts = redis.call('HMGET', tombKey, unpack(window))
  local left = {}
  tail = nil
  for i = #window, 1, -1 do
    local id = window[i]
    if left[id] == nil then left[id] = tonumber(counts[i] or '0') end
    if left[id] > 0 then
      left[id] = left[id] - 1
    else
      tail = id
      break
    end
  end
end
if tail then candidates[#candidates + 1] = tail end
-- Within a priority level jobs wait in FIFO order, so the oldest are at the heads: the head of
-- the levels above default (negative scores) and of those below it.
local head = redis.call('ZRANGE', prioKey, 0, 0)
if head[1] then candidates[#candidates + 1] = head[1] end
local lowHead = redis.call('ZRANGE', prioKey, 0, '+inf', 'BYSCORE', 'LIMIT', 0, 1)
if lowHead[1] then candidates[#candidates + 1] = lowHead[1] end
-- the grouped job added (or due) first: gage's first member, `<group>\0<prio 4><seq 16><id>`
local gHead = redis.call('ZRANGE', gageKey, 0, 0)[1]
if gHead then candidates[#candidates + 1] = string.sub(gHead, string.find(gHead, '\0', 1, true) + 21) end
for _, id in ipairs(candidates) do
  local record = redis.call('HGET', jobsKey, id)
  if record then
    local created = recordCreated(record)
    if created and (oldest < 0 or created < oldest) then oldest = created end
  end
end

local out = {
  now,
  math.max(0, redis.call('LLEN', waitKey) - tombs) + redis.call('ZCARD', prioKey) + redis.call('ZCARD', gwaitKey),
  redis.call('ZCARD', activeKey),
  redis.call('ZCARD', delayedKey),
  redis.call('ZCARD', completedKey),
  redis.call('ZCARD', failedKey),
  meta[1] == '1' and 1 or 0,
  tonumber(meta[2] or '0'),
  tonumber(meta[3] or '0'),
  oldest,
}
local minute = math.floor(now / 60000)
local fields = {}
for m = minute - 60, minute do fields[#fields + 1] = 'c:' .. m end
for m = minute - 60, minute do fields[#fields + 1] = 'f:' .. m end
local counts = redis.call('HMGET', metricsKey, unpack(fields))
for i = 1, 60 do out[#out + 1] = tonumber(counts[i] or '0') end
for i = 62, 121 do out[#out + 1] = tonumber(counts[i] or '0') end
out[#out + 1] = tonumber(counts[61] or '0')
out[#out + 1] = tonumber(counts[122] or '0')
return out
