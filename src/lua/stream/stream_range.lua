--[[
  stream_range: reads entries of a topic together with its epoch and retention state, in one
  consistent step, so a reader learns at once whether entries it has not seen were lost.

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
    2 meta    hash   <prefix>:{<tag>}:meta[:<topic>]
  ARGV
    1 mode      'after'  entries with id > ARGV[2] (oldest first)
                'latest' the newest ARGV[4] entries (oldest first)
                'tail'   no entries, just the state
                'at'     the entry with id ARGV[2], if still kept
    2 id        stream id `<ms>-<seq>` ('0-0' = from the beginning)
    3 epoch     the epoch the reader's id belongs to ('' = any)
    4 limit     integer, most entries returned
  Returns
    { epoch ('' when the topic does not exist), lastId ('0-0' when empty), firstId ('' when empty),
      truncated ('' | 'trimmed' | 'epoch'), { id1, data1, id2, data2, … } }
    'epoch': the reader's epoch is not the topic's (recreated, or gone): entries are read from
    the beginning of the current epoch. 'trimmed': entries after the reader's id were removed by
    retention: entries start at the oldest kept one.
]]
-- @include stream_common
local streamKey, metaKey = KEYS[1], KEYS[2]
local mode, fromId, readerEpoch, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])

local epoch = currentEpoch(streamKey, metaKey)
if not epoch then
  local truncated = ''
  if mode == 'after' and readerEpoch ~= '' then truncated = 'epoch' end
  return { '', '0-0', '', truncated, {} }
end

local last = redis.call('XREVRANGE', streamKey, '+', '-', 'COUNT', 1)
local first = redis.call('XRANGE', streamKey, '-', '+', 'COUNT', 1)
local lastId = last[1] and last[1][1] or '0-0'
local firstId = first[1] and first[1][1] or ''

local truncated = ''
local rows = {}
if mode == 'after' then
  if readerEpoch ~= '' and readerEpoch ~= epoch then
    truncated = 'epoch'
    fromId = '0-0'
  elseif fromId ~= '0-0' then
    local trimmed = redis.call('HGET', metaKey, 'trimmed')
    if trimmed and idLess(fromId, trimmed) then truncated = 'trimmed' end
  end
  rows = redis.call('XRANGE', streamKey, '(' .. fromId, '+', 'COUNT', limit)
elseif mode == 'latest' then
  local rev = redis.call('XREVRANGE', streamKey, '+', '-', 'COUNT', limit)
  for i = #rev, 1, -1 do rows[#rows + 1] = rev[i] end
elseif mode == 'at' then
  rows = redis.call('XRANGE', streamKey, fromId, fromId)
end

local flat = {}
for _, row in ipairs(rows) do
  local fields = toMap(row[2])
  flat[#flat + 1] = row[1]
  flat[#flat + 1] = fields['d'] or 'null'
end
return { epoch, lastId, firstId, truncated, flat }
