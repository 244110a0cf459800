--[[
  retry_failed: moves failed (dead-lettered) jobs back to waiting with a fresh attempt count; the
  attempt history is kept; a grouped job joins the back of its group's line. Each job's state
  JSON is decoded and written again, so a call stops once it has rewritten 256 KiB of it (after
  at least one job): one call stays a short step however long the histories are; the caller
  goes on from where it stopped.

  KEYS
    1 meta     hash   <prefix>:{<queue>}:meta
    2 wait     list   <prefix>:{<queue>}:wait
    3 prio     zset   <prefix>:{<queue>}:prio
    4 failed   zset   <prefix>:{<queue>}:failed
    5 jobs     hash   <prefix>:{<queue>}:jobs
    6 info     hash   <prefix>:{<queue>}:info
    7 marker   list   <prefix>:{<queue>}:marker
    8 gwait    zset   <prefix>:{<queue>}:gwait
    9 gof      hash   <prefix>:{<queue>}:gof
   10 gready   zset   <prefix>:{<queue>}:gready
   11 glimited zset   <prefix>:{<queue>}:glimited
   12 gstate   hash   <prefix>:{<queue>}:gstate
   13 gage     zset   <prefix>:{<queue>}:gage
  ARGV
    1 limit  integer; with no ids, retries up to `limit` of the oldest failed jobs
    then optional ids to retry (ids not in `failed` are skipped)
  Returns
    { moved (jobs moved to waiting), looked (ids dealt with, from the first: the rest were left
      for the next call), more (1 = stopped on the 256 KiB bound with ids left; else 0) }
]]
-- @include waiting
-- @include records
-- @include time
-- @include groups
local metaKey, waitKey, prioKey, failedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jobsKey, infoKey, markerKey = KEYS[5], KEYS[6], KEYS[7]
local limit = tonumber(ARGV[1])
local g = { meta = metaKey, gwait = KEYS[8], gof = KEYS[9], gready = KEYS[10], glimited = KEYS[11], gstate = KEYS[12], gage = KEYS[13] }

local ids = {}
if #ARGV > 1 then
  for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
else
  ids = redis.call('ZRANGE', failedKey, 0, limit - 1)
end
local BUDGET = 262144
local moved, looked, bytes = 0, 0, 0
local now, cfg
for _, id in ipairs(ids) do
  if bytes >= BUDGET then break end
  looked = looked + 1
  if redis.call('ZREM', failedKey, id) == 1 then
    local record = redis.call('HGET', jobsKey, id)
    if record then
      local raw = redis.call('HGET', infoKey, id)
      if raw then bytes = bytes + #raw end
      local info = raw and cjson.decode(raw) or {}
      info.attempts = 0
      info.stalls = 0
      info.failedReason = nil
      info.retriedByHand = (info.retriedByHand or 0) + 1
      redis.call('HSET', infoKey, id, cjson.encode(info))
      local opts = string.find(record, '"group":', 1, true) and recordOptions(record)
      local group = opts and opts.group
      if type(group) == 'string' then
        now = now or nowMs()
        cfg = cfg or groupConfig(metaKey)
        redis.call('HSET', metaKey, 'g', '1')
        pushGrouped(g, id, group, recordPriority(record), nil, cfg, now)
      else
        pushWaiting(metaKey, waitKey, prioKey, id, recordPriority(record), false)
      end
      moved = moved + 1
    end
  end
end
if moved > 0 then wakeForWork(markerKey) end
return { moved, looked, looked < #ids and 1 or 0 }
