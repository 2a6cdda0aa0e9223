-- wrk script: POST the same signed Teams message activity to /api/messages.
-- BENCH_BODY names the JSON file, BENCH_AUTH holds "Bearer <token>" (both from bench-standins).
local file = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")

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
