--[[
  trim_finished: applies retention to the completed and failed sets on its own (the retention
  janitor), so that jobs past their age go even when no job finishes. Bounded per call.

  KEYS
    1 completed  zset  <prefix>:{<queue>}:completed
    2 failed     zset  <prefix>:{<queue>}:failed
    3 jobs       hash  <prefix>:{<queue>}:jobs
    4 info       hash  <prefix>:{<queue>}:info
    5 results    hash  <prefix>:{<queue>}:results
    6 dedup      hash  <prefix>:{<queue>}:dedup
    7 entity     zset  <prefix>:{<queue>}:entity
    8 progress   hash  <prefix>:{<queue>}:progress
    9 logs       hash  <prefix>:{<queue>}:logs
   10 cancel     hash  <prefix>:{<queue>}:cancel
  ARGV
    1 completedCount  integer, completed jobs to keep (0 = leave the set alone: such a worker
                      deletes jobs as they complete and keeps none)
    2 completedAgeMs  integer ms, max age of completed jobs (0 = no age limit)
    3 failedCount     integer, failed jobs to keep (0 = leave the set alone, as for completed)
    4 failedAgeMs     integer ms, max age of failed jobs (0 = no age limit)
    5 limit           integer, most jobs removed by this call (both sets together)
  Returns
    number of jobs removed by this call (= limit: more may be due)
]]
-- @include time
-- @include retention
local completedKey, failedKey, jobsKey, infoKey, resultsKey, dedupKey, entityKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local extras = { KEYS[8], KEYS[9], KEYS[10] }
local completedCount, completedAgeMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local failedCount, failedAgeMs, limit = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])

-- Finish times are Redis time (the finishing scripts' clock), so age is measured on it too.
local now = nowMs()
local removed = 0
if completedCount > 0 then
  removed = trimFinished(completedKey, jobsKey, infoKey, resultsKey, now, completedCount,
    completedAgeMs, dedupKey, limit, entityKey, extras)
end
if failedCount > 0 and removed < limit then
  removed = removed + trimFinished(failedKey, jobsKey, infoKey, resultsKey, now, failedCount,
    failedAgeMs, dedupKey, limit - removed, entityKey, extras)
end
return removed
