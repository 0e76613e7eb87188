-- wrk script: GET the path given on the command line with the headers given with -H,
-- counting statuses. Prints one "BENCH_JSON {...}" line when done (report.lua).

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")
