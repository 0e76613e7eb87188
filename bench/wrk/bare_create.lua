-- wrk script: POST /inquiries/ of the bare DRF project (bench/bare_drf), a different
-- inquiry on every request. Prints one "BENCH_JSON {...}" line when done.

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")
local counter = 0

function init(args)
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   counter = counter + 1
   local n = thread_id * 10000000 + counter
   local body = string.format(
      '{"first_name": "Ana", "last_name": "Garcia", "phone": "+1312%07d", '
      .. '"email": "bare%d@example.com", "date_of_birth": "1980-04-02", '
      .. '"service_line": "orthopedics", "location": "riverside-general", '
      .. '"channel": "web_form", "lead_type": "patient", "urgency": "routine", '
      .. '"payer": "Aetna", "message": "Knee pain when climbing stairs.", '
      .. '"utm_source": "google", "landing_page": "https://hospital.example.org/knee"}',
      n % 10000000, n)
   return wrk.format("POST", nil, nil, body)
end
