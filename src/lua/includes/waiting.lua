-- Putting jobs in line and waking idle workers. Included with `-- @include waiting`.
-- @include wake

-- Score of a prioritised waiting job: higher priority first, then FIFO by a per-queue sequence.
local PRIO_SPAN = 4294967296

-- Puts `id` in the waiting structures: the `wait` list (default priority 0) or the `prio` zset.
-- `front` puts it next in line among its priority (used for stalled and released jobs).
local function pushWaiting(metaKey, waitKey, prioKey, id, priority, front)
  if priority == 0 then
    if front then redis.call('RPUSH', waitKey, id) else redis.call('LPUSH', waitKey, id) end
  else
    local seq = redis.call('HINCRBY', metaKey, 'seq', 1)
    if front then seq = -seq end
    redis.call('ZADD', prioKey, -priority * PRIO_SPAN + seq, id)
  end
end
