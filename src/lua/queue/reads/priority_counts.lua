--[[
  priority_counts: waiting jobs per priority, without a group (the default priority's count is
  the `wait` list's, less its tombstones), and the number of grouped waiting jobs. Walks the
  `prio` zset by priority band (one ZCOUNT and one ZRANGE per distinct priority): O(p log n)
  for p priorities in use, never a scan of the jobs.

  KEYS
    1 meta   hash  <prefix>:{<queue>}:meta
    2 wait   list  <prefix>:{<queue>}:wait
    3 prio   zset  <prefix>:{<queue>}:prio
    4 gwait  zset  <prefix>:{<queue>}:gwait
  ARGV
    (none)
  Returns
    { grouped waiting jobs, then priority, count per priority in use, highest priority first }
]]
-- @include waiting
local metaKey, waitKey, prioKey, gwaitKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

local out = { redis.call('ZCARD', gwaitKey) }
-- a score is -priority * PRIO_SPAN + seq, |seq| < PRIO_SPAN / 2: a band per priority
local half = PRIO_SPAN / 2
local listed = false
local function addList()
  local n = redis.call('LLEN', waitKey) - tonumber(redis.call('HGET', metaKey, 'tombs') or '0')
  if n > 0 then
    out[#out + 1] = 0
    out[#out + 1] = n
  end
  listed = true
end
local first = redis.call('ZRANGE', prioKey, 0, 0, 'WITHSCORES')
local score = first[2] and tonumber(first[2])
while score do
  local p = -math.floor(score / PRIO_SPAN + 0.5)
  if p < 0 and not listed then addList() end
  local low, high = -p * PRIO_SPAN - half, -p * PRIO_SPAN + half
  out[#out + 1] = p
  out[#out + 1] = redis.call('ZCOUNT', prioKey, low, '(' .. high)
  local nxt = redis.call('ZRANGE', prioKey, high, '+inf', 'BYSCORE', 'LIMIT', 0, 1, 'WITHSCORES')
  score = nxt[2] and tonumber(nxt[2])
end
if not listed then addList() end
return out
