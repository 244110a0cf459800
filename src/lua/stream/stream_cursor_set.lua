--[[
  stream_cursor_set: stores a client's cursor (last delivered position) on a topic, moving it
  forward only within one epoch (a position of another epoch replaces it), refreshes its TTL,
  and optionally clears the user's unread count on the topic.

  KEYS
    1 cursor  string <prefix>:{u:<user>}:cursor:<client>:<topic>
    2 unread  string <prefix>:{u:<user>}:unread:<topic>
  ARGV
    1 position     string `<epoch>:<ms>-<seq>`
    2 ttlMs        integer ms
    3 clearUnread  '1' / '0'
  Returns
    the stored position (the given one, or a later one already stored); false (nothing stored)
    when the position is more than a minute ahead of this server's clock
]]
-- @include stream_common
local cursorKey, unreadKey = KEYS[1], KEYS[2]
local position, ttlMs, clearUnread = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'

local function split(p)
  return string.match(p, '^(.*):(%d+%-%d+)$')
end

-- A made-up position from the future would hold the cursor ahead of every entry to come (it
-- only moves forward): refused. A minute of slack for the clocks of a cluster's nodes.
local t = redis.call('TIME')
local _, given = split(position)
if given and tonumber(string.match(given, '^(%d+)')) > tonumber(t[1]) * 1000 + 60000 then
  return false
end

local stored = position
local current = redis.call('GET', cursorKey)
if current then
  local ce, cid = split(current)
  local ne, nid = split(position)
  if ce and ce == ne and not idLess(cid, nid) then stored = current end
end
redis.call('SET', cursorKey, stored, 'PX', ttlMs)
if clearUnread then redis.call('DEL', unreadKey) end
return stored
