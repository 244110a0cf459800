-- Schedules: the pending tick of each schedule is one delayed job `sched:<name>:<tick>`, so it
-- falls due through the delayed-job path (no polling). Included with `-- @include schedules`.
-- `k` is a table of the queue keys the caller declared (meta, delayed, jobs, marker, events).
-- Ticks travel as strings (ARGV, ZSCORE): Lua's tostring would print 1.7e+12.
-- @include waiting
-- @include events
-- @include base36


local function tickJobId(name, tick)
  return 'sched:' .. name .. ':' .. tick
end

-- The stored spec of a schedule: revision (string) and decoded spec, or nil.
local function readSchedule(schedKey, name)
  local raw = redis.call('HGET', schedKey, name)
  if not raw then return nil end
  local rev, json = string.match(raw, '^(%d+)|(.*)$')
  return rev, cjson.decode(json)
end

-- Adds the tick job `id`, due at `dueAt` (ms; a past time is promoted by the next fetch), with
-- the spec's priority and record body; nothing if a job with that id exists. 1 if added.
local function addTickJob(k, id, dueAt, spec, now)
  if redis.call('HEXISTS', k.jobs, id) == 1 then return 0 end
  local seq = redis.call('HINCRBY', k.meta, 'seq', 1)
  local record = '#' .. base36(now) .. '.' .. base36(seq) .. '|' .. spec.priority .. '|' .. spec.body
  redis.call('HSET', k.jobs, id, record)
  local earliest = redis.call('ZRANGE', k.delayed, 0, 0, 'WITHSCORES')[2]
  redis.call('ZADD', k.delayed, dueAt, id)
  if not earliest or tonumber(dueAt) < tonumber(earliest) then wake(k.marker) end
  if listening(k.meta, now) then emit(k.events, 'delayed', id, dueAt) end
  return 1
end

-- Removes the tick job `id` if it is still delayed (not yet due): a replaced or removed
-- schedule, or a missed tick skipped by catch-up `none`. 1 if removed.
local function dropTickJob(k, id)
  if redis.call('ZREM', k.delayed, id) == 0 then return 0 end
  redis.call('HDEL', k.jobs, id)
  return 1
end
