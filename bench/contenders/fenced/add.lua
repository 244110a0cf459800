--[[
  fenced floor, add: N jobs with sequential ids, and a wake-up for a blocked consumer.

  KEYS
    1 meta    hash  fenced:{<queue>}:meta (field `id`: the last id given)
    2 wait    list  fenced:{<queue>}:wait
    3 jobs    hash  fenced:{<queue>}:jobs (id → payload)
    4 marker  list  fenced:{<queue>}:marker (at most one wake-up)
  ARGV
    the payloads, one per job
  Returns
    the first id (the N jobs have consecutive ids)
]]
local n = #ARGV
local first = redis.call('HINCRBY', KEYS[1], 'id', n) - n + 1
if n == 1 then
  local id = string.format('%d', first)
  redis.call('HSET', KEYS[3], id, ARGV[1])
  redis.call('LPUSH', KEYS[2], id)
else
  local h, ids = {}, {}
  for i = 1, n do
    local id = string.format('%d', first + i - 1)
    ids[i] = id
    h[2 * i - 1] = id
    h[2 * i] = ARGV[i]
  end
  redis.call('HSET', KEYS[3], unpack(h))
  redis.call('LPUSH', KEYS[2], unpack(ids))
end
if redis.call('LLEN', KEYS[4]) == 0 then redis.call('LPUSH', KEYS[4], '1') end
return first
