-- Waking idle workers, alone (for the lean add scripts; `waiting` includes it). Included with
-- `-- @include wake`.

-- Wakes one blocked worker, unless a wake-up is already pending.
local function wake(markerKey)
  if redis.call('LLEN', markerKey) == 0 then redis.call('LPUSH', markerKey, '1') end
end
