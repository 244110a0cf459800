--[[
  fetch: promotes due delayed jobs and takes up to N waiting jobs under lease (groups served
  round-robin; the queue's concurrency and rate limits applied).

  KEYS
    1 meta     hash  <prefix>:{<queue>}:meta
    2 wait     list  <prefix>:{<queue>}:wait
    3 prio     zset  <prefix>:{<queue>}:prio
    4 delayed  zset  <prefix>:{<queue>}:delayed
    5 active   zset  <prefix>:{<queue>}:active
    6 jobs     hash  <prefix>:{<queue>}:jobs
    7 info     hash  <prefix>:{<queue>}:info
    8 lease    hash  <prefix>:{<queue>}:lease
    9 marker   list  <prefix>:{<queue>}:marker
   10 tomb     hash  <prefix>:{<queue>}:tomb
   11 gwait    zset  <prefix>:{<queue>}:gwait
   12 gof      hash  <prefix>:{<queue>}:gof
   13 gready   zset  <prefix>:{<queue>}:gready
   14 glimited zset  <prefix>:{<queue>}:glimited
   15 gstate   hash  <prefix>:{<queue>}:gstate
   16 gage     zset  <prefix>:{<queue>}:gage
   17 events   stream <prefix>:{<queue>}:events (written only while someone listens)
  ARGV
    1 count      integer, jobs wanted
    2 leaseMs    integer ms
    3 tokenBase  string, unique per call (worker id + call number); token = tokenBase@<now>
    4 leadMs     integer ms (optional, 0 = none): delayed jobs due within it go to slots left
                 free on an empty queue, leased from their due time (token tokenBase@<due>)
  Returns
    now (ms, as `<ms>.<3 digits of µs>`), nextDue (ms of the next delayed job, even when paused; -1
    if none; leadMs / 2 before it when a fetch then can take it ahead), heads (per job `id, token,
    info` ('' if none), all joined by NUL; '' for no job), then the record of each job
]]
-- @include time
-- @include fetch
local k = {
  meta = KEYS[1], wait = KEYS[2], prio = KEYS[3], delayed = KEYS[4], active = KEYS[5],
  jobs = KEYS[6], info = KEYS[7], lease = KEYS[8], marker = KEYS[9], tomb = KEYS[10],
  gwait = KEYS[11], gof = KEYS[12], gready = KEYS[13], glimited = KEYS[14], gstate = KEYS[15], gage = KEYS[16],
  events = KEYS[17],
}
local count, leaseMs, tokenBase, leadMs = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4] or '0')

local out = {}
local now, us = nowMs()
fetchJobs(k, now, count, leaseMs, tokenBase, out, nil, us, leadMs)
return out
