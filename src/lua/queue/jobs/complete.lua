--[[
  complete: records the completion of jobs whose lease the caller holds, applies retention, and
  (so a busy worker needs one round trip per batch) fetches the next jobs.

  KEYS
    1 meta       hash   <prefix>:{<queue>}:meta
    2 wait       list   <prefix>:{<queue>}:wait
    3 prio       zset   <prefix>:{<queue>}:prio
    4 delayed    zset   <prefix>:{<queue>}:delayed
    5 active     zset   <prefix>:{<queue>}:active
    6 jobs       hash   <prefix>:{<queue>}:jobs
    7 info       hash   <prefix>:{<queue>}:info
    8 lease      hash   <prefix>:{<queue>}:lease
    9 marker     list   <prefix>:{<queue>}:marker
   10 results    hash   <prefix>:{<queue>}:results
   11 completed  zset   <prefix>:{<queue>}:completed
   12 metrics    hash   <prefix>:{<queue>}:metrics
   13 events     stream <prefix>:{<queue>}:events
   14 dedup      hash   <prefix>:{<queue>}:dedup
   15 tomb       hash   <prefix>:{<queue>}:tomb
   16 entity     zset   <prefix>:{<queue>}:entity (per-entity index, cleaned with the jobs)
   17 gwait    zset  <prefix>:{<queue>}:gwait
   18 gof      hash  <prefix>:{<queue>}:gof
   19 gready   zset  <prefix>:{<queue>}:gready
   20 glimited zset  <prefix>:{<queue>}:glimited
   21 gstate   hash  <prefix>:{<queue>}:gstate
   22 gage     zset  <prefix>:{<queue>}:gage
   23 progress hash  <prefix>:{<queue>}:progress (touched only when meta `x` is set)
   24 logs     hash  <prefix>:{<queue>}:logs (likewise)
   25 cancel   hash  <prefix>:{<queue>}:cancel (likewise)
   26 parents  hash   <prefix>:{<queue>}:parents (flow children → parent; read only when meta fl)
   27 flowout  stream <prefix>:{<queue>}:flowout (the flow outbox)
  ARGV
    1 keepCount   integer, completed jobs to keep (0 = delete on completion)
    2 keepAgeMs   integer ms, max age of kept completed jobs (0 = no age limit)
    3 fetchCount  integer, jobs to fetch after acking (0 = none)
    4 leaseMs     integer ms, lease of fetched jobs
    5 tokenBase   string, token base of fetched jobs
    6 leadMs      integer ms, take delayed jobs due within it ahead (0 = none; see fetch.lua)
    7 N           number of acks
    then per ack: id, token, result ('' = no return value; else JSON)
  Returns
    nStale, stale ids (acks rejected: lease not held — fencing), then the fetch reply
    (now, nextDue, heads, then a record per job: see fetch.lua)
]]
-- @include time
-- @include events
-- @include retention
-- @include fetch
-- @include extras
local k = {
  meta = KEYS[1], wait = KEYS[2], prio = KEYS[3], delayed = KEYS[4], active = KEYS[5],
  jobs = KEYS[6], info = KEYS[7], lease = KEYS[8], marker = KEYS[9], tomb = KEYS[15], events = KEYS[13],
  gwait = KEYS[17], gof = KEYS[18], gready = KEYS[19], glimited = KEYS[20], gstate = KEYS[21], gage = KEYS[22],
}
local resultsKey, completedKey, metricsKey, eventsKey, dedupKey = KEYS[10], KEYS[11], KEYS[12], KEYS[13], KEYS[14]
local entityKey = KEYS[16]
local progressKey, logsKey, cancelKey = KEYS[23], KEYS[24], KEYS[25]
local parentsKey, flowoutKey = KEYS[26], KEYS[27]
local keepCount, keepAgeMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local fetchCount, leaseMs, tokenBase = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local leadMs, n = tonumber(ARGV[6]), tonumber(ARGV[7])

local MAX_EVENT_RESULT = 4096
local now, us = nowMs()
local ids = {}
for i = 1, n do ids[i] = ARGV[5 + i * 3] end

-- one read of meta for the whole call: events listened to? groups in use? per-job extras?
-- flow children?
local meta = readFetchMeta(k)
local flags = { meta[10], meta[3], meta[11], meta[12] }
local extras = flags[3] and { progressKey, logsKey, cancelKey } or nil
local notify = flags[1] and tonumber(flags[1]) > now
local stale, done, zargs, rargs, doneResults = {}, {}, {}, {}, {}
if n > 0 then
  local held = redis.call('HMGET', k.lease, unpack(ids))
  -- counters rather than `#t` (a search of the table each time: this loop runs per job)
  local nDone, nStale, nR = 0, 0, 0
  local keep, carry = keepCount > 0, flags[4] == '1' or notify
  -- a string: Redis 7.0 prints a number argument with `%.17g` each time it is passed
  local nowArg = string.format('%d', now)
  for i = 1, n do
    local id = ids[i]
    if held[i] == ARGV[6 + i * 3] then
      nDone = nDone + 1
      done[nDone] = id
      if keep then
        zargs[2 * nDone - 1] = nowArg
        zargs[2 * nDone] = id
      end
      local result = ARGV[7 + i * 3]
      if carry then doneResults[nDone] = result end
      if keep and result ~= '' then
        rargs[nR + 1] = id
        rargs[nR + 2] = result
        nR = nR + 2
      end
    else
      nStale = nStale + 1
      stale[nStale] = id
    end
  end
end

if #done > 0 then
  -- flow children post their outcome to the outbox (a FlowRelay takes it to the parent's slot)
  if flags[4] == '1' then
    local refs = redis.call('HMGET', parentsKey, unpack(done))
    for i, id in ipairs(done) do
      if refs[i] then
        redis.call('XADD', flowoutKey, '*', 'c', id, 'p', refs[i], 's', 'completed', 'r', doneResults[i])
        redis.call('HDEL', parentsKey, id)
      end
    end
  end
  redis.call('ZREM', k.active, unpack(done))
  redis.call('HDEL', k.lease, unpack(done))
  if extras then dropCancelMarks(cancelKey, done) end
  if keepCount > 0 then
    redis.call('ZADD', completedKey, unpack(zargs))
    if #rargs > 0 then redis.call('HSET', resultsKey, unpack(rargs)) end
    trimFinished(completedKey, k.jobs, k.info, resultsKey, now, keepCount, keepAgeMs, dedupKey, nil, entityKey, extras)
  else
    deleteJobData(k.jobs, k.info, nil, done, dedupKey, entityKey, extras)
  end
  -- grouped jobs free their group's slot
  if flags[2] == '1' then
    local ms = redis.call('HMGET', k.gof, unpack(done))
    local cfg
    for i, id in ipairs(done) do
      if ms[i] then
        cfg = cfg or groupConfig(k.meta)
        finishGrouped(k, id, ms[i], cfg, now)
      end
    end
  end
  redis.call('HINCRBY', k.meta, 'completed', string.format('%d', #done))
  countMinute(metricsKey, 'c:', now, #done)
  if notify then
    -- the return value rides along when small (MAX_EVENT_RESULT bytes); else read it with getJob
    for i, id in ipairs(done) do
      local result = doneResults[i]
      if result ~= '' and #result <= MAX_EVENT_RESULT then emit(eventsKey, 'completed', id, result)
      else emit(eventsKey, 'completed', id) end
    end
  end
end

local out = { #stale }
for _, id in ipairs(stale) do out[#out + 1] = id end
-- the ack part above changes none of the fields fetchJobs reads: one HMGET of meta serves both
local taken = fetchJobs(k, now, fetchCount, leaseMs, tokenBase, out, meta, us, leadMs)
-- Slots this call freed and did not refill: under a global concurrency they are another
-- worker's; with groups, a freed group may have work for an idle worker (whose acks fetch
-- nothing while it waits: its wait takes what comes).
if #done > taken and (meta[4] or meta[3] == '1') then wakeForWork(k.marker) end
if #done > 0 and taken == 0 and notify and redis.call('LLEN', k.wait) == 0
  and redis.call('ZCARD', k.prio) == 0 and redis.call('ZCARD', k.gwait) == 0
  and redis.call('ZCARD', k.active) == 0 then
  emit(eventsKey, 'drained', '')
end
return out
