-- Promote due delayed jobs and hand out waiting jobs under lease. Included with
-- `-- @include fetch`. `k` is a table of the queue keys the caller declared.
-- @include waiting
-- @include records
-- @include tombstones

local PROMOTE_BATCH = 1000

-- Enqueue order of two due jobs `{id, score, seq, created}`: due time, then the sequence `add`
-- wrote (0 for jobs that have none: delayed by a retry, or old data), then created time, then
-- id (auto ids numerically). A total order, so table.sort is safe.
local function dueBefore(a, b)
  if a[2] ~= b[2] then return a[2] < b[2] end
  if a[3] ~= b[3] then return a[3] < b[3] end
  if a[4] ~= b[4] then return a[4] < b[4] end
  local an, bn = string.match(a[1], '^%d+$') ~= nil, string.match(b[1], '^%d+$') ~= nil
  if an ~= bn then return an end
  if an and #a[1] ~= #b[1] then return #a[1] < #b[1] end
  return a[1] < b[1]
end

-- Moves delayed jobs whose due time has passed to waiting (about 1000 per call), in enqueue
-- order. The delayed zset keeps jobs with equal due times in id order (`10` before `2`), so
-- ties are sorted by the sequence in their records; a tie group is never split across calls.
local function promoteDue(k, now)
  local flat = redis.call('ZRANGEBYSCORE', k.delayed, '-inf', now, 'WITHSCORES', 'LIMIT', 0, PROMOTE_BATCH)
  if #flat == 0 then return 0 end
  local last = flat[#flat]
  if #flat == 2 * PROMOTE_BATCH then
    if flat[2] == last then
      -- One tie group fills the batch: take all of it, to put it in order.
      flat = redis.call('ZRANGEBYSCORE', k.delayed, last, last, 'WITHSCORES')
    else
      -- The batch may have cut the last tie group: leave all of it for the next call.
      while flat[#flat] == last do
        flat[#flat] = nil
        flat[#flat] = nil
      end
    end
  end
  local due, ties = {}, false
  for i = 1, #flat, 2 do
    due[#due + 1] = { flat[i], tonumber(flat[i + 1]) }
    if i > 1 and flat[i + 1] == flat[i - 1] then ties = true end
  end
  for from = 1, #due, PROMOTE_BATCH do
    local ids = {}
    for i = from, math.min(from + PROMOTE_BATCH - 1, #due) do ids[#ids + 1] = due[i][1] end
    redis.call('ZREM', k.delayed, unpack(ids))
    local records = redis.call('HMGET', k.jobs, unpack(ids))
    for i = 1, #ids do
      local d = due[from + i - 1]
      local record = records[i]
      d[5] = record
      if record and ties then
        d[3] = recordSeq(record)
        d[4] = recordCreated(record) or 0
      end
    end
  end
  if ties then
    -- Jobs whose record is gone (removed meanwhile) are skipped below; sort the rest.
    local kept = {}
    for _, d in ipairs(due) do if d[5] then kept[#kept + 1] = d end end
    due = kept
    table.sort(due, dueBefore)
  end
  for _, d in ipairs(due) do
    if d[5] then pushWaiting(k.meta, k.wait, k.prio, d[1], recordPriority(d[5]), false) end
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
