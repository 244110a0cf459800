--[[
  update_data: replaces the data of a job that is not active (waiting, delayed or finished); a
  running job is left alone, so its handler never sees its data change under it.

  KEYS
    1 jobs   hash  <prefix>:{<queue>}:jobs
    2 lease  hash  <prefix>:{<queue>}:lease
  ARGV
    1 id
    2 data   string, the new data JSON (may contain `|`: it is the record's last part)
  Returns
    1 updated; 0 no such job; -1 the job is active; -2 the record is of the old layout 1
]]
local jobsKey, leaseKey = KEYS[1], KEYS[2]
local id, data = ARGV[1], ARGV[2]

local record = redis.call('HGET', jobsKey, id)
if not record then return 0 end
if redis.call('HEXISTS', leaseKey, id) == 1 then return -1 end
-- `#<header>|<priority>|<name>|<options>|`: neither name nor options holds a raw `|`
local head = string.match(record, '^(#[%w.]+|%-?%d+|[^|]*|[^|]*|)')
if not head then return -2 end
redis.call('HSET', jobsKey, id, head .. data)
return 1
