-- wrk script for the capacity run (bench/load.py): a fixed cycle of GET requests, zero think time.
-- Arguments after `--`: a file with one path per line (the mix, weights already expanded), the
-- Cookie header ("" for none), the expected status. Any other status counts as an error, so a
-- session that stopped working (302 to the sign-in page) cannot pass for a fast page. done()
-- prints one JSON line with the totals and latency percentiles (microseconds).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then
      table.insert(paths, line)
    end
  end
  request_headers = {}
  if args[2] ~= nil and args[2] ~= "" then
    request_headers["Cookie"] = args[2]
  end
  expected = tonumber(args[3] or "200")
  -- Threads start at different places in the cycle, so the mix holds at any moment.
  position = (id * 7) % #paths
  ok = 0
  unexpected = 0
  first_unexpected = 0
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position], request_headers)
end

function response(status, headers, body)
  if status == expected then
    ok = ok + 1
  else
    unexpected = unexpected + 1
    if first_unexpected == 0 then
      first_unexpected = status
    end
  end
end

function done(summary, latency, requests)
  local ok_total, unexpected_total, first = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok_total = ok_total + thread:get("ok")
    unexpected_total = unexpected_total + thread:get("unexpected")
    if first == 0 then
      first = thread:get("first_unexpected")
    end
  end
  local errors = summary.errors
  io.write(string.format(
    '\n{"requests": %d, "duration_us": %d, "ok": %d, "unexpected": %d, "first_unexpected": %d, '
      .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, ok_total, unexpected_total, first,
    errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
