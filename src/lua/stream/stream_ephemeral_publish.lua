--[[
  stream_ephemeral_publish: publishes one message of an ephemeral topic. Used on Redis Cluster
  only, where a plain PUBLISH goes to a random node and reaches subscribers on other nodes over
  the cluster bus, so two messages could overtake each other. Called with the channel's name as
  its key, the call is routed to the node serving the channel's hash slot: every message of a
  topic leaves from that one node, in publish order. The "key" is not read or written.

  KEYS
    1 channel  (a channel, not a key) <prefix>:{e:<topic>}:pubsub — routes the call
  ARGV
    1 message  string `<time ms>\n<JSON data>`
  Returns
    the number of subscribers connected to that node that received it
]]
local channel = KEYS[1]
local message = ARGV[1]

return redis.call('PUBLISH', channel, message)
