-- wrk script: each request a new valid VOTING visit with a finding, by a rotating observer.
-- The caller prepends: tokens = {...}; stations = {{id, registered}, ...}; checklist = N;
-- path = "/api/v1/visits/"; out = "/path/result.json"; accepted_out = "/path/accepted"
-- (or nil). Every 201 that carries a client_uuid is written to accepted_out.<thread>, so the
-- harness can check that each visit acknowledged as stored is in the database.

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + tid * 7919)
  statuses = {}
  first_error = nil
  if accepted_out then
    accepted = io.open(accepted_out .. "." .. tid, "w")
  end
end

local function uuid4()
  return string.format("%08x-%04x-4%03x-a%03x-%06x%06x",
    math.random(0, 0x7fffffff), math.random(0, 0xffff), math.random(0, 0xfff),
    math.random(0, 0xfff), math.random(0, 0xffffff), math.random(0, 0xffffff))
end

request = function()
  local station = stations[math.random(1, #stations)]
  local token = tokens[math.random(1, #tokens)]
  local minute = math.random(8 * 60, 19 * 60)
  local arrived = string.format("2022-11-20T%02d:%02d:00+06:00", math.floor(minute / 60), minute % 60)
  local left = minute + 20
  local departed = string.format("2022-11-20T%02d:%02d:00+06:00", math.floor(left / 60), left % 60)
  local voters = math.floor(station[2] * (minute - 420) / 780 * 0.69)
  local body = string.format(
    '{"client_uuid":"%s","station":%d,"checklist":%d,"arrived_at":"%s","departed_at":"%s",' ..
    '"voters_so_far":%d,"assessment":"GOOD","answers":{"V01":false,"V03":true,"V04":true,' ..
    '"V05":false,"V06":false,"V07":"QUEUE","V08":false,"V09":false,"V11":false,"V12":false},' ..
    '"findings":[{"category":"SECRECY","severity":"MINOR","description":"Booth too open"}],' ..
    '"notes":"bench"}',
    uuid4(), station[1], checklist, arrived, departed, voters)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. token,
  }, body)
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    if accepted then
      local uuid = string.match(body, '"client_uuid":%s*"([0-9a-f%-]+)"')
      if uuid then
        accepted:write(uuid, "\n")
        accepted:flush()
      end
    end
  elseif first_error == nil then
    first_error = status .. " " .. string.sub(body, 1, 300)
  end
end

done = function(summary, latency, requests)
  local totals = {}
  local error_text = ""
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts or {}) do
      totals[status] = (totals[status] or 0) + n
    end
    local first = thread:get("first_error")
    if first and error_text == "" then
      error_text = string.gsub(first, '[%c"\\]', " ")
    end
  end
  local parts = {}
  for status, n in pairs(totals) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end
  local f = io.open(out, "w")
  f:write(string.format(
    '{"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d},"statuses":{%s},"first_error":"%s"}',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    table.concat(parts, ","), error_text))
  f:close()
end
