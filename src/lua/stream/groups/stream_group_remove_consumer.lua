--[[
  stream_group_remove_consumer: removes a consumer from a group, but only when it owns nothing
  pending (removing one that does would drop its entries from the pending list unprocessed).

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
  ARGV
    1 group     string
    2 consumer  string
  Returns
    { status, pending }: status 1 = removed, 0 = no such consumer (or group), -1 = it owns
    `pending` entries and was kept
]]
local streamKey = KEYS[1]
local group, consumer = ARGV[1], ARGV[2]

if redis.call('EXISTS', streamKey) == 0 then return { 0, 0 } end
local ok, list = pcall(redis.call, 'XINFO', 'CONSUMERS', streamKey, group)
if not ok then return { 0, 0 } end
for _, raw in ipairs(list) do
  local name, pending = nil, 0
  for i = 1, #raw, 2 do
    if raw[i] == 'name' then name = raw[i + 1] end
    if raw[i] == 'pending' then pending = tonumber(raw[i + 1]) end
  end
  if name == consumer then
    if pending > 0 then return { -1, pending } end
    redis.call('XGROUP', 'DELCONSUMER', streamKey, group, consumer)
    return { 1, 0 }
  end
end
return { 0, 0 }
