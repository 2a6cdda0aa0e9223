-- wrk script: POST a signed Teams message activity to /api/messages.
-- BENCH_BODY names the JSON file, BENCH_AUTH holds "Bearer <token>" (both from bench-standins).
-- Each request names its own conversation and tenant: the bot paces replies to Teams' limits
-- (7 per second per conversation, 50 per second per tenant), so one conversation would measure
-- the pacer, not the endpoint.
local file = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
local template = file:read("*a")
file:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local counter = 0
function request()
  counter = counter + 1
  local unique = string.format("%d-%d", thread_number or 0, counter)
  local body = template:gsub("19:ops%-channel@thread%.tacv2;messageid=1776390257332", "19:bench-" .. unique .. "@thread.tacv2")
  body = body:gsub('"tenantId":"[^"]*"', '"tenantId":"bench-' .. unique .. '"')
  body = body:gsub('"tenant":{"id":"[^"]*"}', '"tenant":{"id":"bench-' .. unique .. '"}')
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("requests=%d\n", summary.requests))
  io.write(string.format("duration_s=%.3f\n", summary.duration / 1e6))
  io.write(string.format("rps=%.0f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("p50_ms=%.3f\n", latency:percentile(50) / 1000))
  io.write(string.format("p99_ms=%.3f\n", latency:percentile(99) / 1000))
  io.write(string.format("max_ms=%.3f\n", latency.max / 1000))
  io.write(string.format("errors_status=%d\n", summary.errors.status))
  io.write(string.format("errors_socket=%d\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
