--[[
  schedule_set: creates or replaces a schedule (upsert by name). The same spec again changes
  nothing (its pending tick stays); a new spec replaces the pending tick job (if not yet due)
  with one for `firstTick`, and announces the change to running schedulers.

  KEYS
    1 meta       hash   <prefix>:{<queue>}:meta
    2 delayed    zset   <prefix>:{<queue>}:delayed
    3 jobs       hash   <prefix>:{<queue>}:jobs
    4 marker     list   <prefix>:{<queue>}:marker
    5 events     stream <prefix>:{<queue>}:events
    6 sched      hash   <prefix>:{<queue>}:sched
    7 schednext  zset   <prefix>:{<queue>}:schednext
  ARGV
    1 schema version (integer)
    2 name       schedule name
    3 spec       JSON: the schedule as stored (with `priority` and the job record `body`)
    4 firstTick  ms (string): the first tick of the spec after now (computed by the caller)
    5 channel    Pub/Sub channel of the queue's schedulers
  Returns
    { 1, tick } created or replaced (tick = firstTick); { 0, tick } unchanged (its pending tick)
]]
-- @include time
-- @include schedules
local k = {
  meta = KEYS[1], delayed = KEYS[2], jobs = KEYS[3], marker = KEYS[4], events = KEYS[5],
  sched = KEYS[6], schednext = KEYS[7],
}
local schemaVersion, name, specJson, firstTick, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

if redis.call('HEXISTS', k.meta, 'v') == 0 then redis.call('HSET', k.meta, 'v', schemaVersion) end
local raw = redis.call('HGET', k.sched, name)
local old = redis.call('ZSCORE', k.schednext, name)
if raw and old and string.match(raw, '^%d+|(.*)$') == specJson then return { 0, old } end
if old then dropTickJob(k, tickJobId(name, old)) end
local rev = redis.call('HINCRBY', k.meta, 'schedrev', 1)
redis.call('HSET', k.sched, name, rev .. '|' .. specJson)
redis.call('ZADD', k.schednext, firstTick, name)
addTickJob(k, tickJobId(name, firstTick), firstTick, cjson.decode(specJson), nowMs())
redis.call('PUBLISH', channel, name)
return { 1, firstTick }
