--[[
  get_job: a job's record, mutable state and current state name, read in one step.

  KEYS
    1 prio       zset  <prefix>:{<queue>}:prio
    2 delayed    zset  <prefix>:{<queue>}:delayed
    3 active     zset  <prefix>:{<queue>}:active
    4 completed  zset  <prefix>:{<queue>}:completed
    5 failed     zset  <prefix>:{<queue>}:failed
    6 jobs       hash  <prefix>:{<queue>}:jobs
    7 info       hash  <prefix>:{<queue>}:info
    8 results    hash  <prefix>:{<queue>}:results
    9 progress   hash  <prefix>:{<queue>}:progress
   10 logs       hash  <prefix>:{<queue>}:logs
   11 lease      hash  <prefix>:{<queue>}:lease
  ARGV
    1 id
  Returns
    {} if no such job; else state ('waiting'|'delayed'|'active'|'completed'|'failed'),
    score ('' for waiting; due time, lease deadline or finish time in ms), record, info, result,
    progress (JSON or ''), logs (JSON array or ''), start of the running attempt (ms; '' unless
    active)
]]
-- @include records
local prioKey, delayedKey, activeKey, completedKey, failedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local jobsKey, infoKey, resultsKey, progressKey, logsKey = KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local leaseKey = KEYS[11]
local id = ARGV[1]

local record = redis.call('HGET', jobsKey, id)
if not record then return {} end
local state, score = 'waiting', ''
for _, pair in ipairs({ { activeKey, 'active' }, { delayedKey, 'delayed' }, { completedKey, 'completed' },
  { failedKey, 'failed' } }) do
  local s = redis.call('ZSCORE', pair[1], id)
  if s then
    state, score = pair[2], s
    break
  end
end
local startedAt = state == 'active' and tokenStart(redis.call('HGET', leaseKey, id)) or ''
return { state, score, record, redis.call('HGET', infoKey, id) or '', redis.call('HGET', resultsKey, id) or '',
  redis.call('HGET', progressKey, id) or '', redis.call('HGET', logsKey, id) or '', tostring(startedAt) }
