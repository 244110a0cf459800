-- Redis's own clock. Included with `-- @include time`.

-- Redis's own clock in ms: one time source for every deadline, whatever the workers' clocks say.
-- The second value is the microseconds past that ms (0-999), for a caller that needs them.
local function nowMs()
  local t = redis.call('TIME')
  local us = tonumber(t[2])
  return tonumber(t[1]) * 1000 + math.floor(us / 1000), us % 1000
end
