--[[
  clear: removes waiting and delayed jobs (and failed ones if asked), at most `limit` per set per
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
  ARGV
    1 limit          integer
    2 includeFailed  '1' | '0'
  Returns
    { number of jobs removed by this call, done (1 = every set was emptied; 0 = call again) }
    (tombstones of removed jobs taken off `wait` count toward `limit`, not as jobs removed)
]]
-- @include retention
-- @include tombstones
local waitKey, prioKey, delayedKey, failedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobsKey, infoKey, resultsKey, dedupKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local metaKey, tombKey = KEYS[9], KEYS[10]
local limit, includeFailed = tonumber(ARGV[1]), ARGV[2] == '1'

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
local sets = { prioKey, delayedKey }
if includeFailed then sets[#sets + 1] = failedKey end
for _, key in ipairs(sets) do
  local popped = redis.call('ZPOPMIN', key, limit)
  if #popped == 2 * limit then done = false end
  for i = 1, #popped, 2 do removed[#removed + 1] = popped[i] end
end
deleteJobData(jobsKey, infoKey, resultsKey, removed, dedupKey)
return { #removed, done and 1 or 0 }
