--[[
  set_limits: sets the queue's limits, shared by every worker (stored in `meta`; '' = none).
  Wakes a blocked worker, which goes on waking the next while work remains under the new limits.

  KEYS
    1 meta    hash  <prefix>:{<queue>}:meta
    2 marker  list  <prefix>:{<queue>}:marker
  ARGV
    1 concurrency       integer, most active jobs of the queue across all workers, or ''
    2 rateMax           integer, most jobs started per window, or '' (with 3)
    3 rateDurationMs    integer ms, the window
    4 groupConcurrency  integer, most active jobs per group (default 1), or ''
    5 groupRateMax      integer, most jobs started per window per group, or '' (with 6)
    6 groupRateDurMs    integer ms, the window of each group
  Returns
    1
]]
-- @include waiting
local metaKey, markerKey = KEYS[1], KEYS[2]
local fields = { 'conc', 'rlmax', 'rldur', 'gconc', 'grlmax', 'grldur' }

-- a new, changed or removed rate limit starts with a fresh window (the old window's count would
-- otherwise hold the queue back under a limit it no longer has)
local old = redis.call('HMGET', metaKey, 'rlmax', 'rldur')
if (old[1] or '') ~= ARGV[2] or (old[2] or '') ~= ARGV[3] then
  redis.call('HDEL', metaKey, 'rls', 'rln')
end
for i, field in ipairs(fields) do
  local v = ARGV[i]
  if v == '' then redis.call('HDEL', metaKey, field) else redis.call('HSET', metaKey, field, v) end
end
wake(markerKey)
return 1
