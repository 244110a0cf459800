-- Queue events, written only while someone listens. Included with `-- @include events`.
-- @include emit

-- True while some client listens to queue events (it renews `evlisten` in `meta`).
local function listening(metaKey, now)
  local untilMs = redis.call('HGET', metaKey, 'evlisten')
  return untilMs and tonumber(untilMs) > now
end

-- Writes an event with more fields: `fields` is a flat list `name, value, ...`.
local function emitFields(eventsKey, event, id, fields)
  redis.call('XADD', eventsKey, 'MAXLEN', '~', 10000, '*', 'e', event, 'id', id, unpack(fields))
end
