--[[
  cancel: cancels a job from any process. A waiting or delayed job is removed (as `remove` does,
  grouped ones from their group's line); for an active job the cancel is marked (field of the
  `cancel` hash) and announced on the queue's cancel channel, so the worker that holds it aborts
  its handler and fails it with reason `cancelled` (never retried). A worker that misses the
  message (reconnecting, or one that took the job over after a stall) finds the mark with its
  next lease renewal (extend.lua). A finished job is left alone.

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
    2 channel  the queue's cancel channel (Pub/Sub, not a key): `<prefix>:{<queue>}:cancelled`
  Returns
    1 removed (it was waiting or delayed); 2 active: marked and announced; 0 no such job;
    -1 finished (completed or failed): left alone
]]
-- @include time
-- @include events
-- @include retention
-- @include removal
-- @include extras
local k = {
  wait = KEYS[1], prio = KEYS[2], delayed = KEYS[3], completed = KEYS[4], failed = KEYS[5],
  jobs = KEYS[6], info = KEYS[7], results = KEYS[8], lease = KEYS[9], dedup = KEYS[10],
  meta = KEYS[11], tomb = KEYS[12], entity = KEYS[13], gwait = KEYS[14], gof = KEYS[15],
  gready = KEYS[16], glimited = KEYS[17], gstate = KEYS[18], gage = KEYS[19],
  extras = { KEYS[20], KEYS[21], KEYS[22] },
}
local cancelKey = KEYS[22]
local id, channel = ARGV[1], ARGV[2]

if redis.call('HEXISTS', k.jobs, id) == 0 then return 0 end
if redis.call('HEXISTS', k.lease, id) == 1 then
  markExtras(k.meta) -- the finishing scripts drop the mark when the job leaves `active`
  redis.call('HSET', cancelKey, id, '1')
  redis.call('PUBLISH', channel, id)
  return 2
end
if redis.call('ZSCORE', k.completed, id) or redis.call('ZSCORE', k.failed, id) then return -1 end
local removed = removeJob(k, id)
if removed == 1 and listening(k.meta, nowMs()) then emit(KEYS[23], 'removed', id) end
return removed
