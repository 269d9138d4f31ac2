-- wrk script: cycle through the paths of bench/results/urls.txt, count the answers that are not 2xx.
local paths = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then table.insert(paths, line) end
  end
  -- Each thread starts at a different place in the list.
  index = math.random(#paths)
  non2xx = 0
  statuses = {}
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local non2xx_total = 0
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + thread:get("non2xx")
  end
  local errors = summary.errors
  io.write(string.format("RESULT requests %d\n", summary.requests))
  io.write(string.format("RESULT duration_s %.2f\n", summary.duration / 1e6))
  io.write(string.format("RESULT requests_per_s %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("RESULT non_2xx %d\n", non2xx_total))
  io.write(string.format("RESULT socket_errors %d\n", errors.connect + errors.read + errors.write + errors.timeout))
  io.write(string.format("RESULT timeouts %d\n", errors.timeout))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("RESULT latency_p%d_ms %.1f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("RESULT latency_mean_ms %.1f\n", latency.mean / 1000))
  io.write(string.format("RESULT latency_max_ms %.1f\n", latency.max / 1000))
end
