--[[
  list: one page of jobs in a state, newest first.

  KEYS
    1 state set  list (waiting) or zset (prio, delayed, active, completed, failed)
    2 jobs       hash  <prefix>:{<queue>}:jobs
    3 info       hash  <prefix>:{<queue>}:info
    4 results    hash  <prefix>:{<queue>}:results
  ARGV
    1 kind   'list' | 'zset'
    2 start  integer offset (0 = newest)
    3 count  integer; 0 = only the total
  Returns
    total, then id, score ('' for lists), record, info, result per job ('' where absent)
]]
local setKey, jobsKey, infoKey, resultsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local kind, start, count = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])

local ids, scores = {}, {}
local total
-- count 0 must read no rows: LRANGE/ZRANGE 0 -1 would read the whole set.
if kind == 'list' then
  total = redis.call('LLEN', setKey)
  if count > 0 then ids = redis.call('LRANGE', setKey, start, start + count - 1) end
else
  total = redis.call('ZCARD', setKey)
  if count > 0 then
    local page = redis.call('ZRANGE', setKey, start, start + count - 1, 'REV', 'WITHSCORES')
    for i = 1, #page, 2 do
      ids[#ids + 1] = page[i]
      scores[#scores + 1] = page[i + 1]
    end
  end
end
local out = { total }
if #ids == 0 then return out end
local records = redis.call('HMGET', jobsKey, unpack(ids))
local infos = redis.call('HMGET', infoKey, unpack(ids))
local results = redis.call('HMGET', resultsKey, unpack(ids))
for i, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = scores[i] or ''
  out[#out + 1] = records[i] or ''
  out[#out + 1] = infos[i] or ''
  out[#out + 1] = results[i] or ''
end
return out
