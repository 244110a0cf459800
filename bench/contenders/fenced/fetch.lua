--[[
  fenced floor, fetch: takes up to N waiting jobs under a lease (deadline in `active`, token in
  `lease`), and leaves a wake-up behind when it took all it asked for and more wait.

  KEYS
    1 wait    list  fenced:{<queue>}:wait
    2 jobs    hash  fenced:{<queue>}:jobs
    3 active  zset  fenced:{<queue>}:active (id → lease deadline, ms)
    4 lease   hash  fenced:{<queue>}:lease (id → token)
    5 marker  list  fenced:{<queue>}:marker
  ARGV
    1 count    jobs to take at most
    2 leaseMs  lease length
    3 token    this call's lease token
  Returns
    id, payload, id, payload, … (empty: nothing waiting)
]]
local count = tonumber(ARGV[1])
local ids = redis.call('RPOP', KEYS[1], count)
if not ids then return {} end
local t = redis.call('TIME')
local deadline = string.format('%d', t[1] * 1000 + math.floor(t[2] / 1000) + tonumber(ARGV[2]))
local records = redis.call('HMGET', KEYS[2], unpack(ids))
local z, h, out = {}, {}, {}
for i, id in ipairs(ids) do
  z[2 * i - 1] = deadline
  z[2 * i] = id
  h[2 * i - 1] = id
  h[2 * i] = ARGV[3]
  out[2 * i - 1] = id
  out[2 * i] = records[i]
end
redis.call('ZADD', KEYS[3], unpack(z))
redis.call('HSET', KEYS[4], unpack(h))
if #ids == count and redis.call('LLEN', KEYS[5]) == 0 and redis.call('LLEN', KEYS[1]) > 0 then
  redis.call('LPUSH', KEYS[5], '1')
end
return out
