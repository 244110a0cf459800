--[[
  add: adds one or more jobs atomically (idempotent per caller-given id; de-duplicated per dedup
  key while the job holding the key is unfinished, or finished less than the caller's TTL ago;
  or, with a window, for that long from the holder's add whatever its state).

  KEYS
    1 meta     hash  <prefix>:{<queue>}:meta
    2 wait     list  <prefix>:{<queue>}:wait
    3 prio     zset  <prefix>:{<queue>}:prio
    4 delayed  zset  <prefix>:{<queue>}:delayed
    5 jobs     hash  <prefix>:{<queue>}:jobs
    6 marker   list  <prefix>:{<queue>}:marker
    7 events     stream <prefix>:{<queue>}:events
    8 completed  zset   <prefix>:{<queue>}:completed
    9 failed     zset   <prefix>:{<queue>}:failed
   10 dedup      hash   <prefix>:{<queue>}:dedup
   11 entity     zset   <prefix>:{<queue>}:entity (per-entity index)
   12 gwait      zset   <prefix>:{<queue>}:gwait
   13 gof        hash   <prefix>:{<queue>}:gof
   14 gready     zset   <prefix>:{<queue>}:gready
   15 glimited   zset   <prefix>:{<queue>}:glimited
   16 gstate     hash   <prefix>:{<queue>}:gstate
   17 gage       zset   <prefix>:{<queue>}:gage
  ARGV
    1 schema version (integer)
    2 now (ms): the producer's reading of Redis's clock (calibrated against TIME; see
      src/redis/clock.ts) — created time and the base of delays. Not TIME here: it costs more
      than the rest of a single add.
    3 createdTag: `#` + now in base 36, the record's header (a delayed job's header adds
      `.<seq, base 36>`, its place in enqueue order, from meta `seq`; so does an indexed job's)
    4 job count N
    then per job, 9 values:
      id          string, '' for an auto id (a decimal counter from meta.id)
      priority    integer, 0 = default
      delayMs     integer ms from now (Redis clock); <= 0 = run now
      dedupKey    string, '' for none
      dedupTtlMs  integer ms a finished holder still de-duplicates (0 = only while unfinished)
      dedupWindowMs integer ms from the holder's add it de-duplicates, in any state (0 = no
                  window: dedupTtlMs applies)
      entity      string, '' for none: indexed under it (member `<entity>|<seq>|<id>`)
      group       string, '' for none: the job joins that group's line (see docs/groups.md)
      body        string, the record after its header: `<name>|<options JSON>|<data JSON>`
  Returns
    flat array: id, created per job (1 = added now; 0 = an existing job was returned: one with
    that id, or the unfinished (or recently finished) holder of that dedup key)
]]
-- @include waiting
-- @include events
-- @include groups
-- @include records
local metaKey, waitKey, prioKey, delayedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobsKey, markerKey, eventsKey = KEYS[5], KEYS[6], KEYS[7]
local completedKey, failedKey, dedupKey, entityKey = KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local schemaVersion, now, createdTag, count = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local FIRST, STRIDE = 5, 9
local g = { meta = metaKey, gwait = KEYS[12], gof = KEYS[13], gready = KEYS[14], glimited = KEYS[15], gstate = KEYS[16], gage = KEYS[17] }
local groupCfg

local meta = redis.call('HMGET', metaKey, 'v', 'evlisten')
if not meta[1] then redis.call('HSET', metaKey, 'v', schemaVersion) end
local notify = meta[2] and tonumber(meta[2]) > now

-- Ids of jobs created by this call (their records are written in one HSET at the end).
local fresh = {}

-- The job that holds `key` and still de-duplicates: added less than `windowMs` ago when a
-- window is given (whatever its state), else unfinished or finished within `ttlMs`.
local function dedupHolder(key, ttlMs, windowMs)
  local holder = redis.call('HGET', dedupKey, key)
  if not holder then return nil end
  if fresh[holder] then return holder end
  if windowMs > 0 then
    local record = redis.call('HGET', jobsKey, holder)
    if record and now - recordCreated(record) < windowMs then return holder end
    return nil
  end
  if redis.call('HEXISTS', jobsKey, holder) == 0 then return nil end
  local finished = redis.call('ZSCORE', completedKey, holder) or redis.call('ZSCORE', failedKey, holder)
  if not finished or now - tonumber(finished) < ttlMs then return holder end
  return nil
end

-- Automatic ids come from one HINCRBY for the whole call.
local autoCount = 0
for i = 0, count - 1 do
  if ARGV[FIRST + i * STRIDE] == '' then autoCount = autoCount + 1 end
end
local nextAuto = 0
if autoCount > 0 then nextAuto = redis.call('HINCRBY', metaKey, 'id', autoCount) - autoCount + 1 end

-- Delayed jobs carry their place in enqueue order in the record header (`#<created>.<seq>`),
-- from the queue's `seq` counter: jobs due at the same time are promoted in that order, not
-- in the id order the delayed zset keeps ties in. A job indexed by entity gets one too: its
-- index member sorts by it (newest first), and deleting the job finds the member from it.
-- One HINCRBY for the whole call.
local seqCount = 0
for i = 0, count - 1 do
  local base = FIRST + i * STRIDE
  if tonumber(ARGV[base + 2]) > 0 or ARGV[base + 5] ~= '' then seqCount = seqCount + 1 end
end
local nextSeq = 0
if seqCount > 0 then nextSeq = redis.call('HINCRBY', metaKey, 'seq', seqCount) - seqCount + 1 end

local records, waiting, indexed = {}, {}, {}
local earliest
local earliestNew
local out = {}
for i = 0, count - 1 do
  local base = FIRST + i * STRIDE
  local id, priority, delayMs = ARGV[base], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  local dedup, dedupTtlMs, entity = ARGV[base + 3], tonumber(ARGV[base + 4]), ARGV[base + 5]
  local group, body, dedupWindowMs = ARGV[base + 6], ARGV[base + 7], tonumber(ARGV[base + 8])
  local created = 1
  local holder = dedup ~= '' and dedupHolder(dedup, dedupTtlMs, dedupWindowMs)
  local auto = id == ''
  if auto then
    id = string.format('%d', nextAuto)
    nextAuto = nextAuto + 1
  end
  if holder then
    id = holder
    created = 0
  elseif not auto and (fresh[id] or redis.call('HEXISTS', jobsKey, id) == 1) then
    created = 0
  end
  if created == 1 then
    fresh[id] = true
    records[#records + 1] = id
    if delayMs > 0 or entity ~= '' then
      records[#records + 1] = createdTag .. '.' .. base36(nextSeq) .. '|' .. string.format('%d', priority) .. '|' .. body
      if entity ~= '' then indexed[#indexed + 1] = entityMember(entity, nextSeq, id) end
      nextSeq = nextSeq + 1
    else
      records[#records + 1] = createdTag .. '|' .. string.format('%d', priority) .. '|' .. body
    end
    if dedup ~= '' then redis.call('HSET', dedupKey, dedup, id) end
    if group ~= '' and not groupCfg then
      groupCfg = groupConfig(metaKey)
      redis.call('HSET', metaKey, 'g', '1')
    end
    if group ~= '' and delayMs > 0 then redis.call('HSET', g.gof, id, group .. '\0') end
    if delayMs > 0 then
      local dueAt = now + delayMs
      if not earliestNew then earliest = redis.call('ZRANGE', delayedKey, 0, 0, 'WITHSCORES')[2] end
      redis.call('ZADD', delayedKey, string.format('%d', dueAt), id)
      if not earliestNew or dueAt < earliestNew then earliestNew = dueAt end
      if notify then emit(eventsKey, 'delayed', id, string.format('%d', dueAt)) end
    elseif group ~= '' then
      -- now = the producer's calibrated reading of Redis's clock, as for delays
      if pushGrouped(g, id, group, priority, nil, groupCfg, now) then waiting[0] = true end
      if notify then emit(eventsKey, 'waiting', id) end
    elseif priority == 0 then
      waiting[#waiting + 1] = id
      if notify then emit(eventsKey, 'waiting', id) end
    else
      pushWaiting(metaKey, waitKey, prioKey, id, priority, false)
      waiting[0] = true
      if notify then emit(eventsKey, 'waiting', id) end
    end
  end
  out[#out + 1] = id
  out[#out + 1] = created
end
if #records > 0 then redis.call('HSET', jobsKey, unpack(records)) end
if #indexed > 0 then
  local zargs = {}
  for _, member in ipairs(indexed) do
    zargs[#zargs + 1] = 0
    zargs[#zargs + 1] = member
  end
  redis.call('ZADD', entityKey, unpack(zargs))
end
if #waiting > 0 then redis.call('LPUSH', waitKey, unpack(waiting)) end
if #waiting > 0 or waiting[0] then wakeForWork(markerKey) end
-- A new earliest due time: wake a worker so it re-arms its timer for it.
if earliestNew and (not earliest or earliestNew < tonumber(earliest)) then wake(markerKey) end
return out
