-- wrk script: POST /api/v1/intake/ with a different synthetic inquiry on every request.
-- Environment: BENCH_INTAKE_KEY (the raw key), BENCH_BASE (first person number of this
-- invocation: run * 1,000,000 + slot * 200,000, so phones and emails are never reused). Prints one "BENCH_JSON {...}" line when done.

local key = os.getenv("BENCH_INTAKE_KEY")
local base = tonumber(os.getenv("BENCH_BASE") or "0")
local run = math.floor(base / 1000000)
local counter = 0
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local lines = {"orthopedics", "cardiology", "oncology", "imaging", "behavioral-health",
               "womens-health", "bariatrics", "primary-care"}
local locations = {"riverside-general", "northshore-outpatient", "front-range-medical"}
local channels = {"web_form", "web_form", "web_form", "phone", "chat", "email", "walk_in"}
local lead_types = {"patient", "patient", "patient", "patient", "caregiver", "employer", "event"}
local urgencies = {"routine", "routine", "routine", "soon", "urgent"}
local firsts = {"Ana", "James", "Maria", "Robert", "Linda", "Wei", "Fatima", "Carlos", "Emma",
                "Noah", "Olivia", "Liam", "Sofia", "Mateo", "Grace", "Omar"}
local lasts = {"Garcia", "Smith", "Nguyen", "Johnson", "Lopez", "Kim", "Patel", "Brown",
               "Martinez", "Davis", "Wilson", "Hernandez", "Clark", "Lewis"}
local areas = {"312", "773", "847", "630", "708", "303", "720", "224", "331", "815", "872",
               "970", "719", "779"}
local payers = {"Aetna", "Medicare", "Blue Cross Blue Shield", "Cigna", "Medicaid", ""}
local wording = "By submitting this form I agree that Riverside Health may contact me about my inquiry."


function init(args)
   wrk.headers["Authorization"] = "Api-Key " .. key
   wrk.headers["Content-Type"] = "application/json"
end

local function pick(list, n)
   return list[(n % #list) + 1]
end

local function person(n, first, last, with_email)
   -- Exchange 200-999 but never 555, which the demo data uses: no accidental repeats.
   local rest = math.floor(n / #areas)
   local exchange = 200 + math.floor(rest / 10000) % 799
   if exchange >= 555 then exchange = exchange + 1 end
   local phone = string.format("(%s) %03d-%04d", pick(areas, n), exchange, rest % 10000)
   local email = ""
   if with_email then
      email = string.format("bench%d.%d@example.net", run, n)
   end
   return string.format(
      '{"first_name": "%s", "last_name": "%s", "phone": "%s", "email": "%s", '
      .. '"date_of_birth": "19%02d-%02d-%02d", "preferred_language": "%s", "postal_code": "606%02d"}',
      first, last, phone, email, 30 + n % 70, 1 + n % 12, 1 + n % 28,
      (n % 7 == 0) and "es" or "en", n % 100)
end

function request()
   counter = counter + 1
   -- Unique per invocation, thread and request; caregivers get n + 55 million. person()
   -- makes 14 * 799 * 10000 (111 million) distinct phones.
   local n = base + thread_id * 100000 + counter
   local lead_type = pick(lead_types, n)
   local line = pick(lines, math.floor(n / 3))
   local body = string.format(
      '{"lead_type": "%s", "channel": "%s", "service_line": "%s", "location": "%s", '
      .. '"urgency": "%s", "person": %s, %s"payer": "%s", "condition_interest": "Consult", '
      .. '"message": "Please call me back about an appointment.", '
      .. '"consent": {"email": true, "sms": %s, "phone": true, "text": "%s"}, '
      .. '"utm": {"source": "google", "medium": "cpc", "campaign": "%s-bench"}, '
      .. '"landing_page": "https://www.riversidehealth.example/%s/", "external_id": "bench-%d-%d"}',
      lead_type, pick(channels, math.floor(n / 5)), line, pick(locations, math.floor(n / 11)),
      pick(urgencies, math.floor(n / 13)),
      person(n, pick(firsts, n), pick(lasts, math.floor(n / 17)), true),
      (lead_type == "caregiver")
         and ('"caregiver": ' .. person(n + 55000000, pick(firsts, n + 3), pick(lasts, n), true) .. ', ')
         or "",
      pick(payers, n), (n % 2 == 0) and "true" or "false", wording, line, line, run, n)
   return wrk.format("POST", "/api/v1/intake/", nil, body)
end
