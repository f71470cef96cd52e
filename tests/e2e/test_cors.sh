#!/bin/bash
# SPDX-License-Identifier: ISC
# test_cors — CORS for games on other origins, through nginx with curl:
# off by default (no CORS headers, OPTIONS is routed as the contract says);
# with PT_CORS_ORIGINS, a preflight from a listed origin is 204 with only the
# API's methods and headers, the exact origin is echoed with Vary: Origin
# and Retry-After and Location exposed, on error responses too (the
# responders' and nginx's own: 401, 404, 405, 413, 429); an origin not on the
# list (or differing in case, or by a suffix) gets no CORS header at all.
# Also scripts/cors-map's checks of the list, and pt-stack refusing a bad one.
. "$(dirname "$0")/lib.sh"

cors_map() {
	sh "$PT_SRCDIR/scripts/cors-map" "$@"
}

# ---- the list ----
expect_equal "$(cors_map 'https://Game.Example:443, http://127.0.0.1:8081  https://game.example')" \
	"$(printf '\t"~^https://game\\.example$" $http_origin;\n\t"~^http://127\\.0\\.0\\.1:8081$" $http_origin;')" \
	"cors-map: exact, anchored, case-sensitive regexes; case and default port as a browser sends them; duplicates once" "output"
expect_equal "$(cors_map '')" "" "cors-map: no origins, no entries" "output"
for bad in '*' 'https://game.example/' 'https://game.example/path' 'game.example' 'ftp://game.example' \
	'https://game.example:0' 'https://game.example:65536' 'https://ga_me.example' 'null' 'https://'; do
	output=$(cors_map "https://ok.example $bad" 2>&1 >/dev/null)
	code=$?
	check "cors-map refuses '$bad' (exit 2, naming it)" \
		test "$code" = 2 -a -n "$(printf '%s' "$output" | grep -F "'$bad'")"
done

# pt-stack says why it does not start with a bad list.
output=$(PT_STATE_DIR=$E2E_TMP/bad-state PT_PORT=1 PT_CORS_ORIGINS='https://game.example/' PT_BIN_DIR=$PT_BUILDDIR \
	timeout 20 bash "$PT_SRCDIR/scripts/pt-stack" 2>&1)
code=$?
check "pt-stack refuses a PT_CORS_ORIGINS that is not a list of origins" test "$code" -ne 0
check "and names the bad origin" grep -qF "'https://game.example/' is not an origin" <<<"$output"

# cors_headers: the Access-Control-* header lines of the last response, sorted.
cors_headers() {
	grep -i '^access-control-' "$HEADERS" | tr -d '\r' | sort
}
no_cors_headers() {
	[ -z "$(cors_headers)" ]
}

# ---- off by default ----
unset PT_CORS_ORIGINS
e2e_start_stack 2 || { fail "the stack starts"; e2e_finish; exit; }
http GET /heartbeat -H 'Origin: https://game.example'
expect_status 200 "CORS off: a request with an Origin"
check "CORS off: no CORS headers" no_cors_headers
http OPTIONS /battles -H 'Origin: https://game.example' -H 'Access-Control-Request-Method: POST'
expect_error 405 method_not_allowed "CORS off: a preflight is routed like any OPTIONS"
check "CORS off: the 405 has no CORS headers" no_cors_headers
e2e_stop_stack

# ---- an allowlist (and the installed site's rate limits, for a 429) ----
game=https://game.example
local_game=http://127.0.0.1:9999
export PT_CORS_ORIGINS="$game, $local_game"
PT_RATE_LIMIT=1 e2e_start_stack 2 || { fail "the stack starts with PT_CORS_ORIGINS"; e2e_finish; exit; }

preflight() {
	http OPTIONS "$1" -H "Origin: $2" -H "Access-Control-Request-Method: $3" \
		-H 'Access-Control-Request-Headers: authorization,content-type,idempotency-key'
}
preflight /battles "$game" POST
expect_status 204 "a preflight from an allowed origin"
expect_equal "$(cors_headers)" "$(printf '%s\n' \
	"Access-Control-Allow-Headers: Authorization, Content-Type, Idempotency-Key" \
	"Access-Control-Allow-Methods: GET, POST, PUT, DELETE" \
	"Access-Control-Allow-Origin: $game" \
	"Access-Control-Expose-Headers: Retry-After, Location" \
	"Access-Control-Max-Age: 600")" \
	"the preflight allows the exact origin, only the API's methods and request headers" "headers"
expect_header Vary Origin "the preflight varies by Origin"
expect_equal "$BODY" "" "the preflight has no body" "body"
check "no credentials are allowed (the API uses Authorization, not cookies)" \
	sh -c "! grep -qi '^access-control-allow-credentials' '$HEADERS'"
preflight /leaderboard "$local_game" GET
expect_status 204 "a preflight from the second allowed origin"
expect_header Access-Control-Allow-Origin "$local_game" "its origin is the one echoed"
preflight /nope "$game" GET
expect_status 204 "a preflight for a path that is no route (the actual request will be 404)"

for refused in https://evil.example HTTPS://GAME.EXAMPLE https://game.example.evil.example https://xgame.example \
	http://game.example https://game.example:8443 null; do
	preflight /battles "$refused" POST
	expect_error 405 method_not_allowed "a preflight from $refused (not on the list) is routed as OPTIONS"
	check "and gets no CORS headers ($refused)" no_cors_headers
done
http OPTIONS /battles -H "Origin: $game"
expect_error 405 method_not_allowed "OPTIONS from an allowed origin without Access-Control-Request-Method is no preflight"
expect_header Allow POST "it carries the route's Allow"

# ---- actual requests from an allowed origin: headers on success and errors ----
allowed_actual() {
	expect_header Access-Control-Allow-Origin "$game" "$1: the origin is echoed"
	expect_header Access-Control-Expose-Headers "Retry-After, Location" "$1: Retry-After and Location are exposed"
	expect_header Vary Origin "$1: Vary: Origin"
	check "$1: no preflight-only headers" sh -c "! grep -qiE '^access-control-(allow-methods|allow-headers|max-age)' '$HEADERS'"
}
http GET /heartbeat -H "Origin: $game"
expect_status 200 "GET /heartbeat from an allowed origin"
allowed_actual "200"
json POST /players '{"name":"cors-player","password":"a password"}' -u "$E2E_ADMIN" -H "Origin: $game"
expect_status 201 "POST /players from an allowed origin"
check "201 carries Location" test -n "$(header Location)"
allowed_actual "201"
http GET /leaderboard -H "Origin: $game"
expect_error 401 unauthorized "no credentials from an allowed origin"
allowed_actual "401 (the responder's)"
http GET /nope -H "Origin: $game"
expect_error 404 not_found "an unknown path from an allowed origin"
allowed_actual "404"
http DELETE /heartbeat -H "Origin: $game"
expect_error 405 method_not_allowed "a wrong method from an allowed origin"
allowed_actual "405"
json POST /players "{\"name\":\"big\",\"description\":\"$(head -c 66000 /dev/zero | tr '\0' a)\"}" -u "$E2E_ADMIN" -H "Origin: $game"
expect_error 413 payload_too_large "a body over 64 KiB from an allowed origin"
allowed_actual "413 (nginx's own)"
limited=""
for i in $(seq 1 30); do
	http POST /sessions -u 'cors-player:a password' -H "Origin: $game"
	if [ "$STATUS" = 429 ]; then limited=yes; break; fi
done
if [ -n "$limited" ]; then
	expect_error 429 too_many_requests "the sessions rate limit from an allowed origin"
	allowed_actual "429"
	expect_header Retry-After 1 "429 carries Retry-After (exposed to the game)"
else
	fail "the sessions rate limit answers 429 within 30 quick requests"
fi

# ---- an origin off the list: the API answers, without CORS headers ----
http GET /heartbeat -H 'Origin: https://evil.example'
expect_status 200 "GET /heartbeat from an origin off the list"
check "it gets no CORS headers" no_cors_headers
http GET /heartbeat
check "a request without Origin gets no CORS headers" no_cors_headers

# ---- the pages are same-origin only ----
http GET / -H "Origin: $game"
expect_status 200 "GET / from an allowed origin"
check "the pages send no CORS headers" no_cors_headers

e2e_finish
