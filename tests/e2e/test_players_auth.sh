#!/bin/bash
# SPDX-License-Identifier: ISC
# test_players_auth.sh — players, sessions and auth through nginx: every
# status the contract gives these routes, and every auth case (Basic admin,
# Basic player only on /sessions, Bearer, alg none, bad signature, expiry,
# deleted players).
. "$(dirname "$0")/lib.sh"

e2e_start_stack 2 || exit 1

b64url() {
	base64 -w0 | tr '+/' '-_' | tr -d '='
}

# forge_token HEADER_JSON PAYLOAD_JSON SECRET: an HS256 token signed by us.
forge_token() {
	local header payload signature
	header=$(printf '%s' "$1" | b64url)
	payload=$(printf '%s' "$2" | b64url)
	signature=$(printf '%s' "$header.$payload" | openssl dgst -sha256 -hmac "$3" -binary | b64url)
	printf '%s.%s.%s' "$header" "$payload" "$signature"
}

# ---- POST /players ----
json POST /players '{"name":"alice","password":"correct horse","gold":500,"silver":20,"attack":80,"hit_points":120,"luck":5,"description":"first"}' -u "$E2E_ADMIN"
expect_status 201 "admin creates alice"
alice=$(jq_body .id)
expect_header Location "/players/$alice" "Location of the new player"
expect_json '[.name,.description,.gold,.silver,.attack,.hit_points,.luck,.score] | map(tostring) | join(",")' \
	"alice,first,500,20,80,120,5,0" "player object fields"
expect_json '.created_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")' true "created_at is RFC 3339 UTC"
expect_json 'has("password") or has("password_hash")' false "no password in the response"
check "the password is stored only as a yescrypt hash" test "$(sql "SELECT substr(password_hash,1,3) FROM players WHERE id=$alice")" = '$y$'

json POST /players '{"name":"bob","password":"bobs password"}' -u "$E2E_ADMIN"
bob=$(jq_body .id)
expect_json '[.gold,.silver,.attack,.hit_points,.luck,.description] | map(tostring) | join(",")' "0,0,70,100,10," "defaults applied"
json POST /players '{"name":"Ünïcødé名前"}' -u "$E2E_ADMIN"
expect_status 201 "a multi-byte name"
nopass=$(jq_body .id)

json POST /players '{"name":"alice"}' -u "$E2E_ADMIN"
expect_error 409 conflict "duplicate name"
json POST /players '{"name":"carol"}'
expect_error 401 unauthorized "create without credentials"
check "401 carries WWW-Authenticate" test -n "$(header WWW-Authenticate)"
json POST /players '{"name":"carol"}' -u "admin:wrong-password-000000"
expect_error 401 unauthorized "create with a wrong admin password"
json POST /players '{"name":"carol"}' -u "alice:correct horse"
expect_error 401 unauthorized "a player's Basic credentials outside /sessions"
json POST /players '{"name":"carol","luck":91,"hitpoints":5,"gold":-1,"attack":"70"}' -u "$E2E_ADMIN"
expect_error 422 invalid_field "invalid fields"
expect_json '.error.fields | keys | join(",")' "attack,gold,hitpoints,luck" "every bad field named"
json POST /players '{"name":"admin"}' -u "$E2E_ADMIN"
expect_error 422 invalid_field "the name admin is reserved"
json POST /players '{"name":"a:b"}' -u "$E2E_ADMIN"
expect_error 422 invalid_field "a name with a colon"
json POST /players '{"name":"123456789012345678901"}' -u "$E2E_ADMIN"
expect_error 422 invalid_field "a 21-character name"
json POST /players '{"name":"\ud800"}' -u "$E2E_ADMIN"
expect_error 422 invalid_field "a lone surrogate"
json POST /players '{"name":"short","password":"1234567"}' -u "$E2E_ADMIN"
expect_error 422 invalid_field "a 7-byte password"
check "nothing was created by the refused requests" test "$(sql 'SELECT count(*) FROM players')" = 3

# ---- sessions ----
http POST /sessions -u "alice:correct horse"
expect_status 201 "alice opens a session"
token=$(jq_body .token)
expect_json '.token_type + "/" + (.player_id|tostring)' "Bearer/$alice" "session object"
payload=$(printf '%s' "$token" | cut -d. -f2 | tr '_-' '/+')
while [ $(( ${#payload} % 4 )) -ne 0 ]; do payload="$payload="; done
claims=$(printf '%s' "$payload" | base64 -d)
check "sub is the player id as a string" test "$(jq -r '.sub | type + ":" + .' <<<"$claims")" = "string:$alice"
check "expires_in equals exp - iat" test "$(jq -r '.exp - .iat' <<<"$claims")" = "$(jq_body .expires_in)"
check "expires_in defaults to one hour" test "$(jq_body .expires_in)" = 3600
http POST /sessions -u "bob:bobs password"
bob_token=$(jq_body .token)

http POST /sessions -u "alice:wrong password"
expect_error 401 unauthorized "a wrong password"
http POST /sessions -u "nobody:whatever password"
expect_error 401 unauthorized "an unknown name"
http POST /sessions -u "$E2E_ADMIN"
expect_error 401 unauthorized "the admin's Basic on /sessions"
http POST /sessions -H "Authorization: Bearer $token"
expect_error 401 unauthorized "a Bearer token on /sessions"
http POST /sessions
expect_error 401 unauthorized "/sessions without credentials"
http POST /sessions -u "Ünïcødé名前:anything at all"
expect_error 401 unauthorized "a player without a password"
http GET /sessions
expect_error 405 method_not_allowed "GET /sessions"

# ---- GET /players/{id} with each kind of credential ----
http GET "/players/$alice" -u "$E2E_ADMIN"
expect_status 200 "admin reads a player"
http GET "/players/$bob" -H "Authorization: Bearer $token"
expect_status 200 "a player reads another player"
expect_json .name bob "the right player"
http GET /players/999999 -H "Authorization: Bearer $token"
expect_error 404 not_found "unknown player id"
http GET "/players/$alice"
expect_error 401 unauthorized "no credentials"
http GET "/players/$alice" -H "Authorization: Bearer ${token%?}x"
expect_error 401 unauthorized "a token with a changed signature"
http GET "/players/$alice" -H "Authorization: Bearer $(forge_token '{"alg":"none","typ":"JWT"}' "{\"sub\":\"$alice\",\"iat\":1,\"exp\":9999999999}" x | cut -d. -f1-2)."
expect_error 401 unauthorized "alg none"
http GET "/players/$alice" -H "Authorization: Bearer $(forge_token '{"alg":"HS512","typ":"JWT"}' "{\"sub\":\"$alice\",\"iat\":1,\"exp\":9999999999}" "$E2E_JWT_SECRET")"
expect_error 401 unauthorized "alg HS512"
http GET "/players/$alice" -H "Authorization: Bearer $(forge_token '{"alg":"HS256","typ":"JWT"}' "{\"sub\":\"$alice\",\"iat\":1,\"exp\":2}" "$E2E_JWT_SECRET")"
expect_error 401 unauthorized "an expired token"
http GET "/players/$alice" -H "Authorization: Bearer $(forge_token '{"alg":"HS256","typ":"JWT"}' "{\"sub\":\"$alice\",\"iat\":1,\"exp\":9999999999}" "another-secret-entirely-0123456789")"
expect_error 401 unauthorized "a token signed with another secret"
http GET "/players/$alice" -H "Authorization: Bearer $(forge_token '{"alg":"HS256","typ":"JWT"}' "{\"sub\":\"$alice\",\"iat\":1,\"exp\":9999999999}" "$E2E_JWT_SECRET")"
expect_status 200 "a token we signed with the right secret"
http GET "/players/$alice" -H "Authorization: Bearer not.a.token"
expect_error 401 unauthorized "a malformed token"
http GET "/players/$alice" -H "Authorization: Digest abc"
expect_error 401 unauthorized "an unknown scheme"
http GET "/players/$alice" -u "alice:correct horse"
expect_error 401 unauthorized "a player's Basic on GET /players/{id}"
json POST /players '{"name":"mallory"}' -H "Authorization: Bearer $token"
expect_error 403 forbidden "a player may not create players"

# ---- a token for a player that no longer exists ----
json POST /players '{"name":"ghost","password":"ghost password"}' -u "$E2E_ADMIN"
ghost=$(jq_body .id)
ghost_token=$(session ghost "ghost password")
sql "DELETE FROM players WHERE id = $ghost"
http GET "/players/$alice" -H "Authorization: Bearer $ghost_token"
expect_error 401 unauthorized "a token whose player was deleted"

# ---- the leaderboard: ranks, ties, around, parameters ----
# The ghost is no player any more: the worker's board check takes it off
# the board within seconds (members that are not players are repaired).
for tries in $(seq 1 100); do
	http GET /leaderboard -H "Authorization: Bearer $bob_token"
	[ "$(jq_body .total)" = 3 ] && break
	sleep 0.1
done
expect_status 200 "a player reads the leaderboard"
expect_json '.total' 3 "total counts every player (the deleted one taken off the board)"
expect_json '[.entries[].rank] | map(tostring) | join(",")' "1,1,1" "equal scores share rank 1"
expect_json '[.entries[].player_id] | map(tostring) | join(",")' "$alice,$bob,$nopass" "ties ordered by id"
# scores in the store (the source of truth), then a rebuild: 50, 40, 40, 40, 30, ...
for i in $(seq 1 12); do create_player "rank$i" >/dev/null; done
sql "UPDATE players SET score = CASE name WHEN 'rank1' THEN 50 WHEN 'rank2' THEN 40 WHEN 'rank3' THEN 40 WHEN 'rank4' THEN 40 WHEN 'rank5' THEN 30 ELSE 0 END"
check "rebuild-leaderboard succeeds" e2e_admin rebuild-leaderboard
http GET '/leaderboard?limit=3&offset=2' -u "$E2E_ADMIN"
expect_json '[.entries[] | "\(.rank):\(.name):\(.score)"] | join(",")' "2:rank3:40,2:rank4:40,5:rank5:30" "a page starting inside a tie"
expect_json '.offset' 2 "offset echoed"
http GET '/leaderboard?limit=2&offset=3' -u "$E2E_ADMIN"
expect_json '[.entries[].rank] | map(tostring) | join(",")' "2,5" "ranks equal the ranks of the plain pages"
http GET '/leaderboard?limit=100&offset=16' -u "$E2E_ADMIN"
expect_status 200 "offset at the end"
expect_json '.entries | length' 0 "no entries past the end"
rank3=$(sql "SELECT id FROM players WHERE name='rank3'")
http GET "/leaderboard?around=$rank3&limit=2" -u "$E2E_ADMIN"
expect_json '[.offset, (.entries|length)] | map(tostring) | join(",")' "1,2" "around inside a tie crossing a page boundary"
expect_json "[.entries[].player_id] | index($rank3) != null" true "around contains the player"
expect_json '[.entries[].rank] | map(tostring) | join(",")' "2,2" "around keeps the plain ranks"
rank1=$(sql "SELECT id FROM players WHERE name='rank1'")
http GET "/leaderboard?around=$rank1&limit=5" -u "$E2E_ADMIN"
expect_json '[.offset, (.entries|length), .entries[0].player_id] | map(tostring) | join(",")' "0,5,$rank1" "around the first player is a full page"
last=$(sql "SELECT id FROM players WHERE score = 0 ORDER BY id DESC LIMIT 1")
http GET "/leaderboard?around=$last&limit=5" -u "$E2E_ADMIN"
expect_json '[.offset, (.entries|length), .entries[4].player_id] | map(tostring) | join(",")' "10,5,$last" "around the last player is a full page"
for bad in 'limit=0' 'limit=101' 'limit=abc' 'offset=-1' 'limit=1&limit=2' 'around=999999' 'around=0' 'around=x' 'limit=1e3'; do
	http GET "/leaderboard?$bad" -u "$E2E_ADMIN"
	expect_error 422 invalid_field "leaderboard ?$bad"
	param=${bad%%=*}
	expect_json ".error.fields | has(\"$param\")" true "the error names $param"
done
http GET /leaderboard
expect_error 401 unauthorized "the leaderboard needs credentials"

# ---- Redis loses everything: the board is rebuilt from the store ----
before=$(curl -s -u "$E2E_ADMIN" "$E2E_URL/leaderboard?limit=100" | jq -c .)
redis-cli -s "$E2E_STATE/run/redis.sock" FLUSHALL >/dev/null
http GET '/leaderboard?limit=100' -u "$E2E_ADMIN"
expect_status 200 "leaderboard after FLUSHALL"
check "the rebuilt board equals the board before the flush" test "$(jq_body . | jq -c .)" = "$before"

# ---- half-way failure: Redis down during a create → 503, nothing created ----
count_before=$(sql 'SELECT count(*) FROM players')
redis_pid=$(e2e_pid redis)
kill -STOP "$redis_pid"
json POST /players '{"name":"halfway"}' -u "$E2E_ADMIN" -m 5
expect_error 503 unavailable "create while Redis hangs"
kill -CONT "$redis_pid"
check "no player row after the 503" test "$(sql 'SELECT count(*) FROM players')" = "$count_before"
check "no leaderboard entry after the 503" test -z "$(redis-cli -s "$E2E_STATE/run/redis.sock" ZRANGE pt:leaderboard 0 -1 | grep ':halfway$')"
json POST /players '{"name":"halfway"}' -u "$E2E_ADMIN"
expect_status 201 "the same create succeeds once Redis is back"

e2e_finish
