-- Promote due delayed jobs and hand out waiting jobs under lease. Included with
-- `-- @include fetch`. `k` is a table of the queue keys the caller declared.
-- @include waiting
-- @include records
-- @include tombstones

-- Moves delayed jobs whose due time has passed to waiting (at most 1000 per call).
local function promoteDue(k, now)
  local due = redis.call('ZRANGEBYSCORE', k.delayed, '-inf', now, 'LIMIT', 0, 1000)
  if #due == 0 then return 0 end
  redis.call('ZREM', k.delayed, unpack(due))
  local records = redis.call('HMGET', k.jobs, unpack(due))
  for i, id in ipairs(due) do
    local record = records[i]
    if record then pushWaiting(k.meta, k.wait, k.prio, id, recordPriority(record), false) end
  end
  return #due
end

-- Takes up to `count` jobs: prioritised ones above default first, then the `wait` list (FIFO),
-- then prioritised ones below default. Each gets a lease until `now + leaseMs` and the token
-- `tokenBase:<n>`. Appends `id, token, record, info` per job to `out`. Returns the number taken.
-- `tombs`: tombstones in `wait` (meta `tombs`), skipped on the way.
local function takeJobs(k, now, count, leaseMs, tokenBase, out, tombs)
  if count <= 0 then return 0 end
  local ids
  if redis.call('ZCARD', k.prio) == 0 then
    ids = popLive(k, count, tombs)
    if #ids == 0 then return 0 end
  else
    ids = {}
    while #ids < count do
      local head = redis.call('ZRANGE', k.prio, 0, 0, 'WITHSCORES')
      local id
      if head[1] and tonumber(head[2]) < 0 then
        id = head[1]
        redis.call('ZREM', k.prio, id)
      else
        id = popLive(k, 1, tombs)[1]
        if not id and head[1] then
          id = head[1]
          redis.call('ZREM', k.prio, id)
        end
      end
      if not id then break end
      ids[#ids + 1] = id
    end
    if #ids == 0 then return 0 end
  end
  local deadline = now + leaseMs
  local records = redis.call('HMGET', k.jobs, unpack(ids))
  -- Most queues have no failed attempts on record: skip the lookup then.
  local infos = {}
  if redis.call('HLEN', k.info) > 0 then infos = redis.call('HMGET', k.info, unpack(ids)) end
  local zargs, hargs = {}, {}
  local taken = 0
  for i, id in ipairs(ids) do
    local record = records[i]
    if record then
      taken = taken + 1
      local token = tokenBase .. ':' .. taken
      zargs[#zargs + 1] = deadline
      zargs[#zargs + 1] = id
      hargs[#hargs + 1] = id
      hargs[#hargs + 1] = token
      out[#out + 1] = id
      out[#out + 1] = token
      out[#out + 1] = record
      out[#out + 1] = infos[i] or ''
    end
  end
  if taken > 0 then
    redis.call('ZADD', k.active, unpack(zargs))
    redis.call('HSET', k.lease, unpack(hargs))
  end
  return taken
end

-- The full fetch step: promote, take (unless paused), chain-wake another worker if work remains,
-- and report the next due time. Appends `now, nextDue, [id, token, record, info]...` to `out`
-- (nextDue = -1 when nothing is delayed or the queue is paused).
local function fetchJobs(k, now, count, leaseMs, tokenBase, out)
  promoteDue(k, now)
  local meta = redis.call('HMGET', k.meta, 'paused', 'tombs')
  local paused = meta[1] == '1'
  out[#out + 1] = now
  local dueSlot = #out + 1
  out[dueSlot] = -1
  if paused then return 0 end
  local tombs = tonumber(meta[2] or '0')
  local taken = takeJobs(k, now, count, leaseMs, tokenBase, out, tombs)
  -- short of `count` past tombstones (a bounded run of them per call) may leave work behind
  if count > 0 and (taken == count or tombs > 0) then
    if redis.call('LLEN', k.wait) > 0 or redis.call('ZCARD', k.prio) > 0 then wake(k.marker) end
  end
  local nextDue = redis.call('ZRANGE', k.delayed, 0, 0, 'WITHSCORES')
  if nextDue[2] then out[dueSlot] = tonumber(nextDue[2]) end
  return taken
end
