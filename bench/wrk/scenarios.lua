-- wrk script for the three benchmark scenarios, shared by the reference app and the product.
-- Usage: wrk ... -s scenarios.lua URL -- MODE AUTH FIRST LAST APP NONCE
--   MODE  create | get | token | list | deep   AUTH  "Basic ..." or "-" (no header)
--   FIRST/LAST  the seeded id range; APP the oauthAppId; NONCE makes create names unique
-- done() prints one JSON line: requests, duration (us), latency percentiles (us), errors,
-- and non2xx (every response whose status is not 2xx, counted by response()).
local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  mode, auth, first, last, app, nonce = args[1], args[2], tonumber(args[3]),
    tonumber(args[4]), tonumber(args[5]), args[6]
  non2xx = 0
  seq = 0
  math.randomseed(tid * 7919 + os.time())
  headers = {["Content-Type"] = "application/json"}
  if auth ~= "-" then headers["Authorization"] = auth end
end

function request()
  if mode == "create" then
    seq = seq + 1
    local name = "bench_" .. nonce .. "_" .. tid .. "_" .. seq
    local body = '{"name":"' .. name .. '","oauthAppId":' .. app ..
      ',"description":"created by wrk","accessToken":"at_' .. name ..
      '","refreshToken":"rt_' .. name .. '"}'
    return wrk.format("POST", "/api/mgmt/oauthprofiles", headers, body)
  elseif mode == "get" then
    local id = math.random(first, last)
    return wrk.format("GET", "/api/mgmt/oauthprofiles/" .. id, headers)
  elseif mode == "token" then
    local id = math.random(first, last)
    return wrk.format("GET", "/api/mgmt/oauthprofiles/" .. id .. "/token", headers)
  elseif mode == "list" then
    return wrk.format("GET", "/api/mgmt/oauthprofiles?limit=50", headers)
  else -- deep: a page whose cursor lies 100 ids before the end of the list
    return wrk.format("GET", "/api/mgmt/oauthprofiles?limit=50&cursor=" .. (last - 100),
                      headers)
  end
end

function response(status, hdrs, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, bad, e.connect, e.read, e.write, e.timeout))
end
