-- Per-job extras: progress, log lines and cancel marks. Included with `-- @include extras`.
--
-- Few jobs write them, so the hot path must not pay for them: the first write sets meta field
-- `x`, and the finishing scripts (complete, fail) read `x` in the HMGET of meta they make anyway.
-- While `x` is unset they touch none of the three hashes. `x` is never unset (a queue that used
-- extras once pays an HLEN per hash per finishing call from then on).

-- Marks the queue as one whose jobs have extras.
local function markExtras(metaKey)
  redis.call('HSETNX', metaKey, 'x', '1')
end

-- Jobs `ids` left `active`: their cancel marks (if any) have done their work.
local function dropCancelMarks(cancelKey, ids)
  if #ids > 0 and redis.call('HLEN', cancelKey) > 0 then redis.call('HDEL', cancelKey, unpack(ids)) end
end
