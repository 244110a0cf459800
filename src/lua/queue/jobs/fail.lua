--[[
  fail: records a failed attempt of a job whose lease the caller holds, then either schedules a
  retry (delayed, or waiting when the delay is 0) or moves the job to `failed` (dead letter).
  A grouped job keeps its place at the head of its group: a retry delay holds the whole group
  back (so its jobs stay in order), and a failure frees the group's slot.
  The caller (the worker) decides retry vs. fail and the delay from the retry policy.

  KEYS
    1 meta     hash   <prefix>:{<queue>}:meta
    2 wait     list   <prefix>:{<queue>}:wait
    3 prio     zset   <prefix>:{<queue>}:prio
    4 delayed  zset   <prefix>:{<queue>}:delayed
    5 active   zset   <prefix>:{<queue>}:active
    6 jobs     hash   <prefix>:{<queue>}:jobs
    7 info     hash   <prefix>:{<queue>}:info
    8 lease    hash   <prefix>:{<queue>}:lease
    9 marker   list   <prefix>:{<queue>}:marker
   10 results  hash   <prefix>:{<queue>}:results
   11 failed   zset   <prefix>:{<queue>}:failed
   12 metrics  hash   <prefix>:{<queue>}:metrics
   13 events   stream <prefix>:{<queue>}:events
   14 dedup    hash   <prefix>:{<queue>}:dedup
   15 entity   zset   <prefix>:{<queue>}:entity (per-entity index, cleaned with the jobs)
   16 gwait    zset   <prefix>:{<queue>}:gwait
   17 gof      hash   <prefix>:{<queue>}:gof
   18 gready   zset   <prefix>:{<queue>}:gready
   19 glimited zset   <prefix>:{<queue>}:glimited
   20 gstate   hash   <prefix>:{<queue>}:gstate
   21 gage     zset   <prefix>:{<queue>}:gage
   22 progress hash   <prefix>:{<queue>}:progress (touched only when meta `x` is set)
   23 logs     hash   <prefix>:{<queue>}:logs (likewise)
   24 cancel   hash   <prefix>:{<queue>}:cancel (likewise)
   25 parents  hash   <prefix>:{<queue>}:parents (flow children → parent; read only when meta fl)
   26 flowout  stream <prefix>:{<queue>}:flowout (the flow outbox)
  ARGV
    1 id
    2 token         lease token the caller holds
    3 action        'retry' | 'fail'
    4 delayMs       integer ms before the retry (retry only)
    5 entry         JSON of the attempt: { error, stack, stalled? }; `at` (end) and `startedAt`
                    (start, from the token) are set here (Redis clock)
    6 keepCount     integer, failed jobs to keep
    7 keepAgeMs     integer ms, max age of failed jobs (0 = none)
    8 historyLimit  integer, attempt entries kept per job (the newest; a stack is cut to 2,048
                    bytes; entries older than the newest 3 lose their stack and keep 1,024 bytes
                    of their error)
  Returns
    the time the attempt ended (ms, Redis clock) when applied; 0 rejected because the caller
    does not hold the lease (fencing)
]]
-- @include time
-- @include events
-- @include retention
-- @include waiting
-- @include records
-- @include groups
-- @include extras
local metaKey, waitKey, prioKey, delayedKey, activeKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local jobsKey, infoKey, leaseKey, markerKey, resultsKey = KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local failedKey, metricsKey, eventsKey, dedupKey, entityKey = KEYS[11], KEYS[12], KEYS[13], KEYS[14], KEYS[15]
local id, token, action, delayMs, entryJson = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local keepCount, keepAgeMs, historyLimit = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local progressKey, logsKey, cancelKey = KEYS[22], KEYS[23], KEYS[24]
local g = { meta = metaKey, gwait = KEYS[16], gof = KEYS[17], gready = KEYS[18], glimited = KEYS[19], gstate = KEYS[20], gage = KEYS[21] }
local parentsKey, flowoutKey = KEYS[25], KEYS[26]

if redis.call('HGET', leaseKey, id) ~= token then return 0 end
local now = nowMs()
redis.call('ZREM', activeKey, id)
redis.call('HDEL', leaseKey, id)

local raw = redis.call('HGET', infoKey, id)
local info = raw and cjson.decode(raw) or {}
local entry = cjson.decode(entryJson)
-- What one attempt may cost (docs/guarantees.md "What a failed job keeps"): cut on a UTF-8
-- character boundary, so the record stays valid text.
local function cut(s, max)
  if type(s) ~= 'string' or #s <= max then return s end
  local n = max
  while n > 0 and string.byte(s, n + 1) >= 128 and string.byte(s, n + 1) < 192 do n = n - 1 end
  return string.sub(s, 1, n) .. '…'
end
entry.stack = cut(entry.stack, 2048)
entry.at = now -- one time source: the same clock as the delayed/failed scores
entry.startedAt = tokenStart(token)
info.attempts = (info.attempts or 0) + 1
info.stalls = 0 -- a new attempt starts with a clean stall count
local history = info.history or {}
history[#history + 1] = entry
while #history > historyLimit do table.remove(history, 1) end
-- older attempts are summarised: their time, start and the head of their message
for i = 1, #history - 3 do
  history[i].stack = nil
  history[i].error = cut(history[i].error, 1024)
end
info.history = history
-- one read of meta: events listened to? per-job extras?
local flags = redis.call('HMGET', metaKey, 'evlisten', 'x')
local notify = flags[1] and tonumber(flags[1]) > now
local extras = flags[2] and { progressKey, logsKey, cancelKey } or nil
if extras then dropCancelMarks(cancelKey, { id }) end
local member = redis.call('HLEN', g.gof) > 0 and redis.call('HGET', g.gof, id)
local cfg = member and groupConfig(metaKey)

if action == 'retry' then
  info.failedReason = entry.error -- the last error, kept while the job waits to retry
  redis.call('HSET', infoKey, id, cjson.encode(info))
  if member then
    if delayMs > 0 then limitGroup(g, memberGroup(member), now + delayMs) end
    requeueGrouped(g, member, cfg, now)
    wake(markerKey) -- ready now, or a new limit some worker must arm its timer for
  elseif delayMs > 0 then
    redis.call('ZADD', delayedKey, now + delayMs, id)
    local head = redis.call('ZRANGE', delayedKey, 0, 0)
    if head[1] == id then wake(markerKey) end
  else
    local record = redis.call('HGET', jobsKey, id)
    pushWaiting(metaKey, waitKey, prioKey, id, record and recordPriority(record) or 0, false)
    wakeForWork(markerKey)
  end
  if notify then
    emitFields(eventsKey, 'retrying', id, { 'x', entry.error, 'a', info.attempts, 'd', now + math.max(delayMs, 0) })
  end
else
  info.failedReason = entry.error
  redis.call('HSET', infoKey, id, cjson.encode(info))
  redis.call('ZADD', failedKey, now, id)
  redis.call('HINCRBY', metaKey, 'failed', 1)
  local freed = member and finishGrouped(g, id, member, cfg, now)
  -- a freed group or global-concurrency slot may let a blocked worker take a job
  if freed or redis.call('HEXISTS', metaKey, 'conc') == 1 then wakeForWork(markerKey) end
  countMinute(metricsKey, 'f:', now, 1)
  -- a flow child posts its failure to the outbox (a FlowRelay takes it to the parent's slot)
  local parent = redis.call('HGET', metaKey, 'fl') == '1' and redis.call('HGET', parentsKey, id)
  if parent then
    redis.call('XADD', flowoutKey, '*', 'c', id, 'p', parent, 's', 'failed', 'r', entry.error)
    redis.call('HDEL', parentsKey, id)
  end
  trimFinished(failedKey, jobsKey, infoKey, resultsKey, now, keepCount, keepAgeMs, dedupKey, nil, entityKey, extras)
  if notify then
    emitFields(eventsKey, 'failed', id, { 'x', entry.error, 'a', info.attempts })
    if redis.call('LLEN', waitKey) == 0 and redis.call('ZCARD', prioKey) == 0 and redis.call('ZCARD', g.gwait) == 0
      and redis.call('ZCARD', activeKey) == 0 then
      emit(eventsKey, 'drained', '')
    end
  end
end
return now
