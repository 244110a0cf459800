-- Shared helpers for stream scripts. Included with `-- @include stream_common`.

-- Redis's own clock in ms: the one time source for ages, idle times and expiries.
local function streamNow()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A stream id `<ms>-<seq>` as two numbers (a bare `<ms>` means `<ms>-0`).
local function parseId(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  if ms then return tonumber(ms), tonumber(seq) end
  return tonumber(id) or 0, 0
end

-- True when stream id `a` sorts before `b`.
local function idLess(a, b)
  local am, as = parseId(a)
  local bm, bs = parseId(b)
  return am < bm or (am == bm and as < bs)
end

-- The epoch of a topic that exists, or nil. A stream without one (written by someone else)
-- reports epoch '0'.
local function currentEpoch(streamKey, metaKey)
  if redis.call('EXISTS', streamKey) == 0 then return nil end
  return redis.call('HGET', metaKey, 'epoch') or '0'
end

-- The epoch of a topic about to be written. A topic whose stream does not exist is (re)created:
-- it starts a new epoch (`candidate`) and forgets the state of any earlier life (`extra` keys).
local function ensureEpoch(streamKey, metaKey, candidate, extra)
  if redis.call('EXISTS', streamKey) == 0 then
    redis.call('DEL', metaKey, unpack(extra))
    redis.call('HSET', metaKey, 'epoch', candidate)
    return candidate
  end
  local epoch = redis.call('HGET', metaKey, 'epoch')
  if not epoch then
    redis.call('HSET', metaKey, 'epoch', candidate)
    return candidate
  end
  return epoch
end

-- Opens a topic for appending: its epoch (starting a new one, as ensureEpoch does, if the
-- stream does not exist), the id of its last entry ('0-0' if none), and when a consumer group
-- of it was last seen (meta `glive`, ms; nil if never). Two reads in the common case.
local function openTopic(streamKey, metaKey, candidate, extra)
  local last = redis.call('XREVRANGE', streamKey, '+', '-', 'COUNT', 1)
  if last[1] then
    local meta = redis.call('HMGET', metaKey, 'epoch', 'glive')
    local epoch = meta[1]
    if not epoch then
      redis.call('HSET', metaKey, 'epoch', candidate)
      epoch = candidate
    end
    return epoch, last[1][1], meta[2]
  end
  local epoch = ensureEpoch(streamKey, metaKey, candidate, extra)
  return epoch, '0-0', redis.call('HGET', metaKey, 'glive')
end

-- A clock read at most once per script call, and only if needed.
local function lazyClock()
  local now = nil
  return function()
    if not now then now = streamNow() end
    return now
  end
end

-- A flat RESP reply `{k1, v1, k2, v2, …}` as a table.
local function toMap(flat)
  local m = {}
  for i = 1, #flat, 2 do m[flat[i]] = flat[i + 1] end
  return m
end

-- Oldest id a live consumer group still needs (its oldest pending entry, or the last entry it
-- was given if nothing is pending), over the groups whose consumers were seen in the last
-- `liveMs` (`g:<group>` fields of meta). nil when no live group needs anything.
local function groupFloor(streamKey, metaKey, clock, liveMs)
  local meta = redis.call('HGETALL', metaKey)
  local live = {}
  local any = false
  for i = 1, #meta, 2 do
    local name = string.match(meta[i], '^g:(.+)$')
    if name and clock() - tonumber(meta[i + 1]) <= liveMs then
      live[name] = true
      any = true
    end
  end
  if not any then return nil end
  local floor = nil
  for _, raw in ipairs(redis.call('XINFO', 'GROUPS', streamKey)) do
    local g = toMap(raw)
    if live[g['name']] then
      local need = g['last-delivered-id']
      if tonumber(g['pending']) > 0 then
        local summary = redis.call('XPENDING', streamKey, g['name'])
        if summary[2] and idLess(summary[2], need) then need = summary[2] end
      end
      if floor == nil or idLess(need, floor) then floor = need end
    end
  end
  return floor
end

-- Retention: removes entries beyond the newest `maxLen` and older than `maxAgeMs` (0 = no
-- limit), but, when `protect` is set and some group was seen within `liveMs` (`groupsSeen` is
-- meta `glive`), never one a live group still needs. At most 10,000 entries go per call for
-- the length rule, and only entries before that floor are read. Records the greatest removed
-- id in meta `trimmed`, so a reader after a removed entry is told its history was truncated
-- (and a reader after the last removed one is not). The common case — one entry over
-- `maxLen`, no live group — costs three cheap calls.
local function trimTopic(streamKey, metaKey, clock, maxLen, maxAgeMs, protect, liveMs, groupsSeen)
  local floor = nil -- oldest id a live group still needs
  if protect and groupsSeen and clock() - tonumber(groupsSeen) <= liveMs then
    floor = groupFloor(streamKey, metaKey, clock, liveMs)
  end
  local removed = nil -- greatest id removed by this call
  if maxLen > 0 then
    local len = redis.call('XLEN', streamKey)
    local excess = len - maxLen
    if excess > 0 then
      if excess > 10000 then excess = 10000 end
      -- Only entries before the floor may go: read no further than it, and nothing at all when
      -- the oldest entry is still needed (a lagging group would otherwise cost a 10,000-entry
      -- read on every publish).
      local upto = '+'
      if floor then
        local first = redis.call('XRANGE', streamKey, '-', '+', 'COUNT', 1)
        if first[1] and idLess(first[1][1], floor) then upto = '(' .. floor else excess = 0 end
      end
      if excess > 0 then
        local head = redis.call('XRANGE', streamKey, '-', upto, 'COUNT', excess)
        local n = #head
        if n > 0 then
          redis.call('XTRIM', streamKey, 'MAXLEN', len - n)
          removed = head[n][1]
        end
      end
    end
  end
  if maxAgeMs > 0 then
    local cutoff = (clock() - maxAgeMs) .. '-0'
    if floor and idLess(floor, cutoff) then cutoff = floor end
    local first = redis.call('XRANGE', streamKey, '-', '+', 'COUNT', 1)
    if first[1] and idLess(first[1][1], cutoff) then
      local last = redis.call('XREVRANGE', streamKey, '(' .. cutoff, '-', 'COUNT', 1)
      redis.call('XTRIM', streamKey, 'MINID', cutoff)
      if removed == nil or idLess(removed, last[1][1]) then removed = last[1][1] end
    end
  end
  if removed then redis.call('HSET', metaKey, 'trimmed', removed) end
end

-- Gives `key` the remaining TTL of `like` (a topic's companion keys expire with it).
local function expireLike(key, like)
  local ttl = redis.call('PTTL', like)
  if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
end
