--[[
  clear: removes waiting (plain and grouped) jobs, delayed ones unless kept, and failed ones if asked, at most `limit` per set per
  call so one call never blocks Redis for long; the caller repeats until it returns 0.

  KEYS
    1 wait     list  <prefix>:{<queue>}:wait
    2 prio     zset  <prefix>:{<queue>}:prio
    3 delayed  zset  <prefix>:{<queue>}:delayed
    4 failed   zset  <prefix>:{<queue>}:failed
    5 jobs     hash  <prefix>:{<queue>}:jobs
    6 info     hash  <prefix>:{<queue>}:info
    7 results  hash  <prefix>:{<queue>}:results
    8 dedup    hash  <prefix>:{<queue>}:dedup
    9 meta     hash  <prefix>:{<queue>}:meta
   10 tomb     hash  <prefix>:{<queue>}:tomb
   11 entity   zset  <prefix>:{<queue>}:entity
   12 gwait    zset  <prefix>:{<queue>}:gwait
   13 gof      hash  <prefix>:{<queue>}:gof
   14 gready   zset  <prefix>:{<queue>}:gready
   15 glimited zset  <prefix>:{<queue>}:glimited
   16 gstate   hash  <prefix>:{<queue>}:gstate
   17 gage     zset  <prefix>:{<queue>}:gage
   18 progress hash  <prefix>:{<queue>}:progress
   19 logs     hash  <prefix>:{<queue>}:logs
   20 cancel   hash  <prefix>:{<queue>}:cancel
  ARGV
    1 limit          integer
    2 includeFailed  '1' | '0'
    3 keepDelayed    '1' | '0' ('1': delayed jobs stay)
  Returns
    { number of jobs removed by this call, done (1 = every set was emptied; 0 = call again) }
    (tombstones of removed jobs taken off `wait` count toward `limit`, not as jobs removed)
]]
-- @include retention
-- @include tombstones
local waitKey, prioKey, delayedKey, failedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobsKey, infoKey, resultsKey, dedupKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local metaKey, tombKey, entityKey = KEYS[9], KEYS[10], KEYS[11]
local gwaitKey, gofKey, greadyKey = KEYS[12], KEYS[13], KEYS[14]
local glimitedKey, gstateKey, gageKey = KEYS[15], KEYS[16], KEYS[17]
local extras = { KEYS[18], KEYS[19], KEYS[20] }
local limit, includeFailed, keepDelayed = tonumber(ARGV[1]), ARGV[2] == '1', ARGV[3] == '1'

local removed = {}
local done = true
local fromList = redis.call('RPOP', waitKey, limit)
if fromList then
  if #fromList == limit then done = false end
  if tonumber(redis.call('HGET', metaKey, 'tombs') or '0') > 0 then
    fromList = dropTombstones(tombKey, metaKey, fromList)
  end
  for _, id in ipairs(fromList) do removed[#removed + 1] = id end
end
local sets = { prioKey }
if not keepDelayed then sets[#sets + 1] = delayedKey end
if includeFailed then sets[#sets + 1] = failedKey end
for _, key in ipairs(sets) do
  local popped = redis.call('ZPOPMIN', key, limit)
  if #popped == 2 * limit then done = false end
  for i = 1, #popped, 2 do removed[#removed + 1] = popped[i] end
end
-- grouped waiting jobs, by group; a group's active count stays for its running jobs
local members = redis.call('ZRANGE', gwaitKey, 0, limit - 1)
if #members > 0 then
  if #members == limit then done = false end
  redis.call('ZREM', gwaitKey, unpack(members))
  redis.call('ZREM', gageKey, unpack(members))
  for _, m in ipairs(members) do
    local group = string.sub(m, 1, string.find(m, '\0', 1, true) - 1)
    removed[#removed + 1] = string.sub(m, #group + 22)
  end
end
if #removed > 0 and redis.call('HLEN', gofKey) > 0 then redis.call('HDEL', gofKey, unpack(removed)) end
-- no group has waiting work left: none is ready, and held-back ones have nothing to hold
if redis.call('ZCARD', gwaitKey) == 0 then
  redis.call('DEL', greadyKey)
  if redis.call('HLEN', gstateKey) == 0 then redis.call('DEL', glimitedKey) end
end
deleteJobData(jobsKey, infoKey, resultsKey, removed, dedupKey, entityKey, extras)
return { #removed, done and 1 or 0 }
