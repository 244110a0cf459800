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

local deadline = nowMs() + leaseMs
local lost, held = {}, {}
for i = 2, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  if redis.call('HGET', leaseKey, id) == token then
    redis.call('ZADD', activeKey, 'XX', deadline, id)
    held[#held + 1] = id
  else
    lost[#lost + 1] = id
  end
end
local cancelled = {}
if #held > 0 and redis.call('HLEN', cancelKey) > 0 then
  local marks = redis.call('HMGET', cancelKey, unpack(held))
  for i, id in ipairs(held) do
    if marks[i] then cancelled[#cancelled + 1] = id end
  end
end
return { lost, cancelled }
