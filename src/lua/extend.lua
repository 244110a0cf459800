--[[
  extend: renews the leases of jobs the caller holds (the worker's heartbeat).

  KEYS
    1 active  zset  <prefix>:{<queue>}:active
    2 lease   hash  <prefix>:{<queue>}:lease
  ARGV
    1 leaseMs  integer ms; the new deadline is now + leaseMs (Redis clock)
    then id, token per job
  Returns
    ids whose lease the caller no longer holds (not extended)
]]
-- @include time
local activeKey, leaseKey = KEYS[1], KEYS[2]
local leaseMs = tonumber(ARGV[1])

local deadline = nowMs() + leaseMs
local lost = {}
for i = 2, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  if redis.call('HGET', leaseKey, id) == token then
    redis.call('ZADD', activeKey, 'XX', deadline, id)
  else
    lost[#lost + 1] = id
  end
end
return lost
