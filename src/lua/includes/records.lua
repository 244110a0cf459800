-- Reading job records without decoding them whole. Included with `-- @include records`.
-- @include base36

-- A job record is `#<created ms, base 36>[.<seq, base 36>]|<priority>|<name>|<options JSON>|<data
-- JSON>` (layout 2; layout 1 was `<created ms>|<priority>|<body JSON>`). The header lets scripts
-- read what they need without decoding JSON. `seq` (jobs added with a delay) is the job's place
-- in enqueue order, so jobs due at the same time become waiting in the order they were added.
local function recordPriority(record)
  local p = string.match(record, '^#?[%w.]+|(-?%d+)|')
  return tonumber(p) or 0
end

-- Start time (ms) of the attempt a lease token belongs to (fetch ends tokens in `@<ms>`; nil for
-- tokens of older versions).
local function tokenStart(token)
  return token and tonumber(string.match(token, '@(%d+)$'))
end

-- Created time (ms) of a record of either layout.
local function recordCreated(record)
  local v2 = string.match(record, '^#(%w+)[|.]')
  if v2 then return tonumber(v2, 36) end
  return tonumber(string.match(record, '^(%d+)|'))
end

-- Enqueue sequence of a record (0 when it has none: added without a delay, or layout 1).
local function recordSeq(record)
  local seq = string.match(record, '^#%w+%.(%w+)|')
  return seq and tonumber(seq, 36) or 0
end

-- The stored options of a record of either layout, decoded (nil when it has none).
local function recordOptions(record)
  if string.byte(record, 1) == 35 then
    local opts = string.match(record, '^#[%w.]+|%-?%d+|[^|]*|([^|]*)|')
    if opts and opts ~= '' then return cjson.decode(opts) end
    return nil
  end
  return cjson.decode(string.match(record, '^%d+|%-?%d+|(.*)$')).o
end

-- The per-entity index member of a job: `<entity>|<seq, base 36, zero-padded to 11>|<id>`. All
-- members score 0, so the zset orders them by bytes: one entity's members are contiguous (an
-- entity has no `|`) and, the sequence being fixed-width, in enqueue order.
local function entityMember(entity, seq, id)
  local s = base36(seq)
  return entity .. '|' .. string.rep('0', 11 - #s) .. s .. '|' .. id
end
