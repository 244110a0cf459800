-- Waking idle workers, alone (for the lean add scripts; `waiting` includes it). Included with
-- `-- @include wake`.
--
-- A wake-up signal is `w` when it says "work is waiting now" (an add, a retry, a release, a
-- freed slot, work a fetch left behind) and `1` for anything else (a new earliest due time, a
-- resume, new limits, a worker ending its own wait). A fetch that leaves `wait` and `prio` empty
-- (no groups) drops the `w`s still pending: the jobs they were for are taken. Two adds Redis
-- reads in one go are the usual source: the first wakes a worker, the second finds that signal
-- popped and pushes another, the woken worker's fetch takes both jobs, and without the drop the
-- next wait would return at once to fetch nothing (a fifth of all jobs at 1,000 adds/s in the
-- latency bench: an extra round trip, BLPOP and fetch each).
--
-- The list holds a signal or two, so reading it whole (an LRANGE, as cheap as an LLEN when it is
-- empty, the usual case) costs nothing; LRANGE / DEL / RPUSH rather than LREM, which the ACL rule
-- in docs/operations.md does not grant: an upgrade must not need a new permission.

-- Wakes one blocked worker, unless a wake-up no fetch drops is already pending: a `w` may go
-- before any worker reads it, and what this signal says (a new earliest due time, say) must
-- still reach an idle one, which re-arms its timer from the fetch it makes.
local function wake(markerKey)
  for _, v in ipairs(redis.call('LRANGE', markerKey, 0, 9)) do
    if v ~= 'w' then return end
  end
  redis.call('LPUSH', markerKey, '1')
end

-- Wakes one blocked worker for a job waiting now, unless a wake-up is already pending.
local function wakeForWork(markerKey)
  if redis.call('LLEN', markerKey) == 0 then redis.call('LPUSH', markerKey, 'w') end
end

-- Drops the pending `w` signals, keeping the others in their order (a fetch that emptied the
-- queue: see above).
local function dropWorkWakeups(markerKey)
  local kept, dropped = {}, false
  for _, v in ipairs(redis.call('LRANGE', markerKey, 0, -1)) do
    if v == 'w' then dropped = true else kept[#kept + 1] = v end
  end
  if not dropped then return end
  redis.call('DEL', markerKey)
  if #kept > 0 then redis.call('RPUSH', markerKey, unpack(kept)) end
end
