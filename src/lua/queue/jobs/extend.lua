--[[
  extend: renews the leases of jobs the caller holds (the worker's heartbeat), and reports which
  of them were cancelled (a fallback for a worker that missed the cancel channel's message).

  KEYS
    1 active  zset  <prefix>:{<queue>}:active
    2 lease   hash  <prefix>:{<queue>}:lease
    3 cancel  hash  <prefix>:{<queue>}:cancel
  ARGV
    1 leaseMs  integer ms; the new deadline is now + leaseMs (Redis clock)
    then id, token per job
  Returns
    { ids whose lease the caller no longer holds (not extended), ids of held jobs marked cancelled }
]]
-- @include time
local activeKey, leaseKey, cancelKey = KEYS[1], KEYS[2], KEYS[3]
local leaseMs = tonumber(ARGV[1])

-- a string: Redis 7.0 prints a number argument with `%.17g` each time it is passed
local deadline = string.format('%d', nowMs() + leaseMs)
local lost, held = {}, {}
local n = (#ARGV - 1) / 2
if n > 0 then
  local ids = {}
  for i = 1, n do ids[i] = ARGV[2 * i] end
  -- one read and one write for all of them, not two commands per job
  local tokens = redis.call('HMGET', leaseKey, unpack(ids))
  local zargs = { 'XX' }
  for i = 1, n do
    if tokens[i] == ARGV[2 * i + 1] then
      held[#held + 1] = ids[i]
      zargs[#zargs + 1] = deadline
      zargs[#zargs + 1] = ids[i]
    else
      lost[#lost + 1] = ids[i]
    end
  end
  if #held > 0 then redis.call('ZADD', activeKey, unpack(zargs)) end
end
local cancelled = {}
if #held > 0 and redis.call('HLEN', cancelKey) > 0 then
  local marks = redis.call('HMGET', cancelKey, unpack(held))
  for i, id in ipairs(held) do
    if marks[i] then cancelled[#cancelled + 1] = id end
  end
end
return { lost, cancelled }
