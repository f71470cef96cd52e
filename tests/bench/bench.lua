-- SPDX-License-Identifier: ISC
-- bench.lua — the wrk script of every bench run (tests/bench/run-bench.sh).
-- The mode comes from the environment, so one file serves all routes:
--   BENCH_MODE    static | player | around | create_player | battle | session
--   BENCH_PATH    the path of a static GET
--   BENCH_AUTH    the Authorization header value (Bearer token or Basic)
--   BENCH_PLAYERS ids 1..N exist (player, around, battle)
--   BENCH_PREFIX  name prefix of create_player (unique per run)
--   BENCH_TOKENS  "id=token,id=token,...": the attackers of battle mode
-- done() prints one machine-readable line that run-bench.sh parses:
--   BENCH requests=N duration_us=N p50_us=N p99_us=N status_errors=N socket_errors=N
-- Non-2xx/3xx answers ("status_errors") and socket errors both count as errors.

local mode = os.getenv("BENCH_MODE") or "static"
local auth = os.getenv("BENCH_AUTH")
local players = tonumber(os.getenv("BENCH_PLAYERS") or "1")
local prefix = os.getenv("BENCH_PREFIX") or "b"
local counter = 0
local attackers = {}

local function headers(extra)
	local h = {}
	if auth and auth ~= "" then
		h["Authorization"] = auth
	end
	for k, v in pairs(extra or {}) do
		h[k] = v
	end
	return h
end

local json_headers = headers({["Content-Type"] = "application/json"})
local plain_headers = headers()

function init(args)
	math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
	for id, token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "(%d+)=([^,]+)") do
		attackers[#attackers + 1] = {
			id = tonumber(id),
			headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"},
		}
	end
end

if mode == "static" then
	wrk.method = "GET"
	wrk.path = os.getenv("BENCH_PATH") or "/"
	wrk.headers = plain_headers
elseif mode == "session" then
	wrk.method = "POST"
	wrk.path = "/sessions"
	wrk.headers = plain_headers
elseif mode == "player" then
	request = function()
		return wrk.format("GET", "/players/" .. math.random(1, players), plain_headers)
	end
elseif mode == "around" then
	request = function()
		return wrk.format("GET", "/leaderboard?around=" .. math.random(1, players) .. "&limit=10", plain_headers)
	end
elseif mode == "create_player" then
	request = function()
		counter = counter + 1
		return wrk.format("POST", "/players", json_headers,
			'{"name":"' .. prefix .. counter .. '","gold":1000,"silver":100}')
	end
elseif mode == "battle" then
	request = function()
		local attacker = attackers[math.random(1, #attackers)]
		-- a defender other than the attacker, among the ids that exist
		local defender = math.random(1, players - 1)
		if defender >= attacker.id then
			defender = defender + 1
		end
		return wrk.format("POST", "/battles", attacker.headers,
			'{"attacker_id":' .. attacker.id .. ',"defender_id":' .. defender .. '}')
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d status_errors=%d socket_errors=%d\n",
		summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
		e.status, e.connect + e.read + e.write + e.timeout))
end
