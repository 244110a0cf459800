--[[
  fenced floor, ack: completes the jobs whose lease the caller still holds (fencing: an ack
  with another token, or after the lease was taken back, is refused) and deletes them.

  KEYS
    1 active  zset  fenced:{<queue>}:active
    2 lease   hash  fenced:{<queue>}:lease
    3 jobs    hash  fenced:{<queue>}:jobs
  ARGV
    id, token, id, token, …
  Returns
    how many were completed
]]
local n = #ARGV / 2
local ids = {}
for i = 1, n do ids[i] = ARGV[2 * i - 1] end
local held = redis.call('HMGET', KEYS[2], unpack(ids))
local done = {}
for i = 1, n do
  if held[i] == ARGV[2 * i] then done[#done + 1] = ids[i] end
end
if #done > 0 then
  redis.call('ZREM', KEYS[1], unpack(done))
  redis.call('HDEL', KEYS[2], unpack(done))
  redis.call('HDEL', KEYS[3], unpack(done))
end
return #done
