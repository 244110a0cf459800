--[[
  list_entity: one page of the jobs indexed under one entity, newest first, each with its state;
  reads O(log n + page) entries of the index (never the queue): the page is found by rank.

  KEYS
    1 entity     zset  <prefix>:{<queue>}:entity (all scores 0, members `<entity>|<seq>|<id>`)
    2 jobs       hash  <prefix>:{<queue>}:jobs
    3 info       hash  <prefix>:{<queue>}:info
    4 results    hash  <prefix>:{<queue>}:results
    5 delayed    zset  <prefix>:{<queue>}:delayed
    6 active     zset  <prefix>:{<queue>}:active
    7 completed  zset  <prefix>:{<queue>}:completed
    8 failed     zset  <prefix>:{<queue>}:failed
  ARGV
    1 entity  string (no `|`)
    2 start   integer offset from the newest job (0 = newest)
    3 count   integer; 0 = only the total
  Returns
    total (jobs indexed under the entity), then per job: id, state ('waiting' | 'delayed' |
    'active' | 'completed' | 'failed'), score ('' for waiting; else due time, lease deadline or
    finish time in ms), record, info, result ('' where absent)
    (a member whose job is gone, left by data written before the index was cleaned, is dropped
    from the index here and not listed)
]]
-- @include records
local entityKey, jobsKey, infoKey, resultsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local delayedKey, activeKey, completedKey, failedKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local entity, start, count = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])

-- One entity's members lie in [`<entity>|`, `<entity>}`): `}` is the byte after `|`.
local lo, hi = '[' .. entity .. '|', '(' .. entity .. '}'
local total = redis.call('ZLEXCOUNT', entityKey, lo, hi)
local out = { total }
if total == 0 or count <= 0 or start >= total then return out end

-- The newest member's rank from the top, then the page by rank: O(log n) whatever the offset.
local newest = redis.call('ZRANGE', entityKey, hi, lo, 'BYLEX', 'REV', 'LIMIT', 0, 1)[1]
local top = redis.call('ZREVRANK', entityKey, newest) + start
local members = redis.call('ZRANGE', entityKey, top, top + math.min(count, total - start) - 1, 'REV')

local ids, seqs = {}, {}
for i, member in ipairs(members) do
  local seq, id = string.match(member, '^[^|]*|(%w+)|(.*)$')
  ids[i], seqs[i] = id, tonumber(seq, 36)
end
local records = redis.call('HMGET', jobsKey, unpack(ids))
local infos = redis.call('HMGET', infoKey, unpack(ids))
local results = redis.call('HMGET', resultsKey, unpack(ids))
local gone = {}
for i, id in ipairs(ids) do
  local record = records[i]
  if not record or recordSeq(record) ~= seqs[i] then
    gone[#gone + 1] = members[i]
  else
    local state, score = 'waiting', ''
    for _, pair in ipairs({ { activeKey, 'active' }, { delayedKey, 'delayed' },
      { completedKey, 'completed' }, { failedKey, 'failed' } }) do
      local s = redis.call('ZSCORE', pair[1], id)
      if s then
        state, score = pair[2], s
        break
      end
    end
    out[#out + 1] = id
    out[#out + 1] = state
    out[#out + 1] = score
    out[#out + 1] = record
    out[#out + 1] = infos[i] or ''
    out[#out + 1] = results[i] or ''
  end
end
if #gone > 0 then
  redis.call('ZREM', entityKey, unpack(gone))
  out[1] = total - #gone
end
return out
