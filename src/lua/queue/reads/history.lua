--[[
  history: per-minute (last hour) or per-hour (last 7 days) completion and failure counts of a
  queue, for charts. Bounded: the `metrics` hash keeps 61 minute fields and 169 hour fields of
  each kind; fields an idle gap left behind are deleted here once the hash grows past that.

  KEYS
    1 metrics  hash  <prefix>:{<queue>}:metrics
  ARGV
    1 unit   'm' (minutes, fields c:/f:) or 'h' (hours, fields ch:/fh:)
    2 count  integer number of full buckets before the current one (1–168)
  Returns
    now (ms, Redis clock), bucket of the current one (minute or hour number since the epoch),
    then `count` completed counts, `count` failed counts (oldest first), then the current
    bucket's completed, failed
]]
-- @include time
local metricsKey = KEYS[1]
local unit, count = ARGV[1], tonumber(ARGV[2])

local now = nowMs()
local size = unit == 'h' and 3600000 or 60000
local c, f = 'c:', 'f:'
if unit == 'h' then c, f = 'ch:', 'fh:' end
local bucket = math.floor(now / size)

-- 2 kinds x (61 minutes + 169 hours), plus room for the current buckets.
if redis.call('HLEN', metricsKey) > 470 then
  local minute, hour = math.floor(now / 60000), math.floor(now / 3600000)
  local stale = {}
  for _, field in ipairs(redis.call('HKEYS', metricsKey)) do
    local kind, n = string.match(field, '^(%a+):(%d+)$')
    n = tonumber(n)
    if n and ((kind == 'c' or kind == 'f') and n < minute - 61
        or (kind == 'ch' or kind == 'fh') and n < hour - 169) then
      stale[#stale + 1] = field
    end
  end
  for i = 1, #stale, 500 do
    redis.call('HDEL', metricsKey, unpack(stale, i, math.min(i + 499, #stale)))
  end
end

local fields = {}
for b = bucket - count, bucket do fields[#fields + 1] = c .. b end
for b = bucket - count, bucket do fields[#fields + 1] = f .. b end
local counts = redis.call('HMGET', metricsKey, unpack(fields))
local out = { now, bucket }
for i = 1, count do out[#out + 1] = tonumber(counts[i] or '0') end
for i = count + 2, 2 * count + 1 do out[#out + 1] = tonumber(counts[i] or '0') end
out[#out + 1] = tonumber(counts[count + 1] or '0')
out[#out + 1] = tonumber(counts[2 * count + 2] or '0')
return out
