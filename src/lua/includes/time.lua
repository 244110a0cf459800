-- Redis's own clock. Included with `-- @include time`.

-- Redis's own clock in ms: one time source for every deadline, whatever the workers' clocks say.
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
