--[[
  stream_group_ack: acknowledges entries a handler finished, and forgets their recorded errors.

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
    2 errors  hash   <prefix>:{<tag>}:errors[:<topic>]
  ARGV
    1 group  string
    2… ids   stream ids
  Returns
    number of entries acknowledged now (an entry acked before is not counted)
]]
local streamKey, errorsKey = KEYS[1], KEYS[2]
local group = ARGV[1]

local ids, fields = {}, {}
for i = 2, #ARGV do
  ids[#ids + 1] = ARGV[i]
  fields[#fields + 1] = group .. ':' .. ARGV[i]
end
if #ids == 0 then return 0 end
local ok, acked = pcall(redis.call, 'XACK', streamKey, group, unpack(ids))
redis.call('HDEL', errorsKey, unpack(fields))
if not ok then return 0 end
return acked
