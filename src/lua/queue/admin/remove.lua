--[[
  remove: deletes a job that is not active (waiting, delayed, completed or failed), with its
  progress and log lines. See includes/removal.lua for the cost (O(1) for a waiting job of
  default priority; a tombstone where it cannot leave the `wait` list at once).

  KEYS
    1 wait       list  <prefix>:{<queue>}:wait
    2 prio       zset  <prefix>:{<queue>}:prio
    3 delayed    zset  <prefix>:{<queue>}:delayed
    4 completed  zset  <prefix>:{<queue>}:completed
    5 failed     zset  <prefix>:{<queue>}:failed
    6 jobs       hash  <prefix>:{<queue>}:jobs
    7 info       hash  <prefix>:{<queue>}:info
    8 results    hash  <prefix>:{<queue>}:results
    9 lease      hash  <prefix>:{<queue>}:lease
   10 dedup      hash  <prefix>:{<queue>}:dedup
   11 meta       hash  <prefix>:{<queue>}:meta
   12 tomb       hash  <prefix>:{<queue>}:tomb
   13 entity     zset  <prefix>:{<queue>}:entity
   14 gwait    zset    <prefix>:{<queue>}:gwait
   15 gof      hash    <prefix>:{<queue>}:gof
   16 gready   zset    <prefix>:{<queue>}:gready
   17 glimited zset    <prefix>:{<queue>}:glimited
   18 gstate   hash    <prefix>:{<queue>}:gstate
   19 gage     zset    <prefix>:{<queue>}:gage
   20 progress hash    <prefix>:{<queue>}:progress
   21 logs     hash    <prefix>:{<queue>}:logs
   22 cancel   hash    <prefix>:{<queue>}:cancel
   23 events   stream  <prefix>:{<queue>}:events (a `removed` event while someone listens)
  ARGV
    1 id
  Returns
    1 removed; 0 no such job; -1 the job is active (held by a worker) and was left alone
]]
-- @include time
-- @include events
-- @include retention
-- @include removal
local k = {
  wait = KEYS[1], prio = KEYS[2], delayed = KEYS[3], completed = KEYS[4], failed = KEYS[5],
  jobs = KEYS[6], info = KEYS[7], results = KEYS[8], lease = KEYS[9], dedup = KEYS[10],
  meta = KEYS[11], tomb = KEYS[12], entity = KEYS[13], gwait = KEYS[14], gof = KEYS[15],
  gready = KEYS[16], glimited = KEYS[17], gstate = KEYS[18], gage = KEYS[19],
  extras = { KEYS[20], KEYS[21], KEYS[22] },
}
local id = ARGV[1]

local removed = removeJob(k, id)
if removed == 1 and listening(k.meta, nowMs()) then emit(KEYS[23], 'removed', id) end
return removed
