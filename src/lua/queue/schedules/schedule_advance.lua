--[[
  schedule_advance: moves a schedule from its pending tick to the next one, compare-and-set:
  only a caller whose `from` (and revision) match the stored ones advances, so concurrent
  schedulers add one job per tick. Decides by Redis's clock, never the caller's: too early is
  refused; a scheduler that lags adds each late tick in turn, up to `graceMs` late; past that
  the ticks count as missed (no scheduler ran) and the catch-up policy applies.

  KEYS
    1 meta       hash   <prefix>:{<queue>}:meta
    2 delayed    zset   <prefix>:{<queue>}:delayed
    3 jobs       hash   <prefix>:{<queue>}:jobs
    4 marker     list   <prefix>:{<queue>}:marker
    5 events     stream <prefix>:{<queue>}:events
    6 sched      hash   <prefix>:{<queue>}:sched
    7 schednext  zset   <prefix>:{<queue>}:schednext
    8 active     zset   <prefix>:{<queue>}:active
    9 completed  zset   <prefix>:{<queue>}:completed
   10 failed     zset   <prefix>:{<queue>}:failed
  ARGV
    1 name   schedule name
    2 rev    the spec revision the caller computed from (string)
    3 from   ms (string): the pending tick the caller saw
    4 after  ms (string): the tick after `from`
    5 ref    ms (string): the caller's reading of now, used only when ticks were missed
    6 refNext ms (string): the first tick after `ref`
    7 graceMs integer ms: how late a tick may be and still be added (not missed)
  Returns
    { code, now, tick }, now = Redis's clock (ms), tick = the new pending tick (or ''):
    code 1 advanced to `after` (on time, or late by less than graceMs); 2 ticks were missed: caught up (one job for the
    first missed tick, or none) and advanced to `refNext`; 0 the stored tick or revision
    differs (someone else advanced, or the schedule changed or is gone); -1 `from` is not due
    yet by Redis's clock; -2 missed ticks but `ref` does not bracket Redis's now
    (ref <= now < refNext): compute again from `now`
]]
-- @include time
-- @include schedules
local k = {
  meta = KEYS[1], delayed = KEYS[2], jobs = KEYS[3], marker = KEYS[4], events = KEYS[5],
  sched = KEYS[6], schednext = KEYS[7], active = KEYS[8], completed = KEYS[9], failed = KEYS[10],
}
local name, rev, from, after, ref, refNext = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local graceMs = tonumber(ARGV[7])

local now = nowMs()
local storedRev, spec = readSchedule(k.sched, name)
if storedRev ~= rev then return { 0, now, '' } end
local stored = redis.call('ZSCORE', k.schednext, name)
if not stored or tonumber(stored) ~= tonumber(from) then return { 0, now, '' } end
if now < tonumber(from) then return { -1, now, '' } end
if tonumber(after) > now - graceMs then
  addTickJob(k, tickJobId(name, after), after, spec, now)
  redis.call('ZADD', k.schednext, after, name)
  return { 1, now, after }
end

-- `after` is more than graceMs late: no scheduler advanced in time (everything was down).
if not (tonumber(ref) <= now and now < tonumber(refNext)) then return { -2, now, '' } end
local pendingId = tickJobId(name, from)
if spec.catchUp == 'none' then
  dropTickJob(k, pendingId)
else
  -- 'one': the pending tick's job, if it has not run, is the one; else a job for `after`.
  local unfired = redis.call('ZSCORE', k.delayed, pendingId)
    or (redis.call('HEXISTS', k.jobs, pendingId) == 1
      and not redis.call('ZSCORE', k.active, pendingId)
      and not redis.call('ZSCORE', k.completed, pendingId)
      and not redis.call('ZSCORE', k.failed, pendingId))
  if not unfired then addTickJob(k, tickJobId(name, after), after, spec, now) end
end
addTickJob(k, tickJobId(name, refNext), refNext, spec, now)
redis.call('ZADD', k.schednext, refNext, name)
return { 2, now, refNext }
