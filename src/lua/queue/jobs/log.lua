--[[
  log: appends a line to the log of a job whose lease the caller holds (fenced by the token).
  The log is bounded: past `maxLines` lines or `maxBytes` bytes the oldest lines are dropped,
  so the newest are kept.

  KEYS
    1 meta   hash  <prefix>:{<queue>}:meta
    2 lease  hash  <prefix>:{<queue>}:lease
    3 logs   hash  <prefix>:{<queue>}:logs
  ARGV
    1 id
    2 token     lease token the caller holds
    3 line      string (length checked by the caller)
    4 maxLines  integer, lines kept per job
    5 maxBytes  integer, bytes of lines kept per job
  Returns
    number of lines the job's log holds now; -1 rejected: the caller does not hold the lease
]]
-- @include extras
local metaKey, leaseKey, logsKey = KEYS[1], KEYS[2], KEYS[3]
local id, token, line = ARGV[1], ARGV[2], ARGV[3]
local maxLines, maxBytes = tonumber(ARGV[4]), tonumber(ARGV[5])

if redis.call('HGET', leaseKey, id) ~= token then return -1 end
markExtras(metaKey)
local raw = redis.call('HGET', logsKey, id)
local lines = raw and cjson.decode(raw) or {}
lines[#lines + 1] = line
local bytes = 0
for _, l in ipairs(lines) do bytes = bytes + #l end
local first = 1
while (#lines - first + 1 > maxLines or bytes > maxBytes) and first < #lines do
  bytes = bytes - #lines[first]
  first = first + 1
end
local kept = {}
for i = first, #lines do kept[#kept + 1] = lines[i] end
redis.call('HSET', logsKey, id, cjson.encode(kept))
return #kept
