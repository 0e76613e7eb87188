-- Shared by the wrk scripts: counts answers by status and prints one
-- "BENCH_JSON {...}" line when the run ends. Load with
--   dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

threads = {}
statuses = {}

function setup(thread)
   thread:set("thread_id", #threads)
   table.insert(threads, thread)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local merged = {}
   for _, thread in ipairs(threads) do
      local counts = thread:get("statuses")
      for status, count in pairs(counts) do
         merged[status] = (merged[status] or 0) + count
      end
   end
   local parts = {}
   for status, count in pairs(merged) do
      table.insert(parts, string.format('"%d": %d', status, count))
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "socket_errors": %d, "statuses": {%s}}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
      latency:percentile(99), latency.max,
      errors.connect + errors.read + errors.write + errors.timeout,
      table.concat(parts, ", ")))
end
