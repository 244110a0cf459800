--[[
  stream_group_destroy: removes a consumer group with its pending list, dead letters, recorded
  errors, liveness mark and reclaim cursor. The topic's entries stay.

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
    2 meta    hash   <prefix>:{<tag>}:meta[:<topic>]
    3 errors  hash   <prefix>:{<tag>}:errors[:<topic>]
    4 dlq     stream <prefix>:{<tag>}:dlq:<group>[:<topic>]
  ARGV
    1 group  string
  Returns
    1 if the group existed, else 0
]]
local streamKey, metaKey, errorsKey, dlqKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local group = ARGV[1]

local existed = 0
if redis.call('EXISTS', streamKey) == 1 then
  local ok, n = pcall(redis.call, 'XGROUP', 'DESTROY', streamKey, group)
  if ok then existed = n end
end
redis.call('HDEL', metaKey, 'g:' .. group, 'rc:' .. group)
redis.call('DEL', dlqKey)
local head = group .. ':'
local drop = {}
for _, field in ipairs(redis.call('HKEYS', errorsKey)) do
  if string.sub(field, 1, #head) == head then drop[#drop + 1] = field end
end
for i = 1, #drop, 1000 do
  redis.call('HDEL', errorsKey, unpack(drop, i, math.min(i + 999, #drop)))
end
return existed
