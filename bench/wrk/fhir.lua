-- wrk script: POST /fhir/r4/ with a different referral Bundle on every request (the
-- shape of tests/fhir/bundles.py). Environment: BENCH_FHIR_TOKEN (a bearer token),
-- BENCH_BASE (first patient number of this invocation). Prints one "BENCH_JSON {...}".

local token = os.getenv("BENCH_FHIR_TOKEN")
local base = tonumber(os.getenv("BENCH_BASE") or "0")
local counter = 0
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local firsts = {"Ana", "James", "Maria", "Robert", "Linda", "Wei", "Fatima", "Carlos"}
local lasts = {"Garcia", "Smith", "Nguyen", "Johnson", "Lopez", "Kim", "Patel", "Brown"}
local priorities = {"routine", "routine", "urgent", "asap"}

function init(args)
   wrk.headers["Authorization"] = "Bearer " .. token
   wrk.headers["Content-Type"] = "application/fhir+json"
end

local function pick(list, n)
   return list[(n % #list) + 1]
end

function request()
   counter = counter + 1
   local n = base + thread_id * 100000 + counter
   local phone = string.format("(872) %03d-%04d", 200 + math.floor(n / 10000) % 350, n % 10000)
   local body = string.format([[
{"resourceType": "Bundle", "type": "transaction",
 "identifier": {"system": "http://practice.example.org/bundles", "value": "bench-%d"},
 "entry": [
  {"fullUrl": "urn:uuid:sr", "request": {"method": "POST", "url": "ServiceRequest"},
   "resource": {"resourceType": "ServiceRequest", "status": "active", "intent": "order",
     "priority": "%s", "subject": {"reference": "urn:uuid:pt"},
     "code": {"coding": [{"system": "http://snomed.info/sct", "code": "609588000"}]},
     "reasonCode": [{"text": "Knee pain"}], "note": [{"text": "Please see soon."}]}},
  {"fullUrl": "urn:uuid:pt", "request": {"method": "POST", "url": "Patient"},
   "resource": {"resourceType": "Patient",
     "name": [{"use": "official", "family": "%s", "given": ["%s"]}],
     "telecom": [{"system": "phone", "value": "%s"},
                 {"system": "email", "value": "fhirbench%d@example.net"}],
     "birthDate": "19%02d-%02d-%02d", "address": [{"postalCode": "606%02d"}],
     "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]}}]}},
  {"fullUrl": "urn:uuid:dr", "request": {"method": "POST", "url": "Practitioner"},
   "resource": {"resourceType": "Practitioner",
     "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
     "name": [{"family": "Okafor", "given": ["Ada"]}]}}
 ]}]], n, pick(priorities, n), pick(lasts, math.floor(n / 7)), pick(firsts, n), phone, n,
      30 + n % 70, 1 + n % 12, 1 + n % 28, n % 100)
   return wrk.format("POST", "/fhir/r4/", nil, body)
end
