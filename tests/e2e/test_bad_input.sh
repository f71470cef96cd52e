#!/bin/bash
# SPDX-License-Identifier: ISC
# test_bad_input.sh — the bad-input matrix of the hardening issue, through
# nginx, for every route: malformed, truncated, deep, huge and mistyped
# bodies, every field at min−1/min/max/max+1, numbers beyond 64 bits, floats,
# NaN/Infinity, NUL, invalid and overlong UTF-8, SQL-looking names, bad ids,
# path tricks, repeated query parameters, malformed credentials and headers.
# Each refused request must get the contract's status and error body; after
# all of them the database and Redis must be exactly as before (the store's
# dump, e2e_dump, and the Redis keys compared) and no responder may have died or restarted.
# Then the boundary values that must be accepted are, stored verbatim.
. "$(dirname "$0")/lib.sh"

e2e_start_stack 2 || exit 1
redis_sock=$E2E_STATE/run/redis.sock
BODY_FILE=$E2E_TMP/body

# ---- helpers ----------------------------------------------------------------

# post PATH BODY [curl options]: POST BODY (raw bytes, as given) as JSON, as admin.
post() {
	local path=$1 body=$2
	shift 2
	printf '%s' "$body" > "$BODY_FILE"
	http POST "$path" -H 'Content-Type: application/json' --data-binary "@$BODY_FILE" -u "$E2E_ADMIN" "$@"
}

# post_as AUTHORIZATION PATH BODY: the same with that Authorization header instead.
post_as() {
	printf '%s' "$3" > "$BODY_FILE"
	http POST "$2" -H 'Content-Type: application/json' --data-binary "@$BODY_FILE" -H "Authorization: $1"
}

# post_file PATH [curl options]: POST the bytes already in $BODY_FILE, as admin.
post_file() {
	local path=$1
	shift
	http POST "$path" -H 'Content-Type: application/json' --data-binary "@$BODY_FILE" -u "$E2E_ADMIN" "$@"
}

# refused STATUS CODE DESCRIPTION [FIELD]: the contract's error; for a 422,
# FIELD must be one of the fields named.
refused() {
	local status=$1 code=$2 description=$3 field=${4:-}
	expect_error "$status" "$code" "$description"
	if [ -n "$field" ]; then
		if printf '%s' "$BODY" | jq -e --arg f "$field" '.error.fields | has($f)' >/dev/null 2>&1; then
			pass "$description: names $field"
		else
			fail "$description: names $field" "body: $(printf '%s' "$BODY" | head -c 300)"
		fi
	fi
}

# refused_by_nginx STATUS DESCRIPTION: an error nginx answers itself (the
# request never reaches a responder): still a JSON error body of that status.
refused_by_nginx() {
	local status=$1 description=$2
	expect_status "$status" "$description"
	if printf '%s' "$BODY" | jq -e --argjson s "$status" \
		'.error.status == $s and (.error.code | type == "string") and (.error.message | type == "string")' \
		>/dev/null 2>&1 && [ "$(header Content-Type)" = application/json ]; then
		pass "$description: JSON error body"
	else
		fail "$description: JSON error body" "type $(header Content-Type), body: $(printf '%s' "$BODY" | head -c 200 | tr '\n' ' ')"
	fi
}

# Everything a request could change: the whole database and the Redis keys.
snapshot() {
	{
		e2e_dump
		echo "-- redis"
		redis-cli -s "$redis_sock" ZRANGE pt:leaderboard 0 -1 WITHSCORES
		redis-cli -s "$redis_sock" LRANGE pt:battles:queue 0 -1
		redis-cli -s "$redis_sock" LRANGE pt:battles:processing 0 -1
	} > "$1"
}

pids() {
	local name
	for name in responder-1 responder-2 worker redis nginx; do
		printf '%s=%s ' "$name" "$(e2e_pid "$name")"
	done
}

repeat() {
	local text=$1 count=$2 out=""
	while [ "$count" -gt 0 ]; do
		out=$out$text
		count=$((count - 1))
	done
	printf '%s' "$out"
}

# ---- set-up -------------------------------------------------------------------
alice=$(create_player alice '"password":"alice password"') || exit 1
bob=$(create_player bob) || exit 1
alice_token=$(session alice "alice password") || exit 1
pids_before=$(pids)
snapshot "$E2E_TMP/before.dump"

# ============ requests that must be refused, changing nothing ===================

# ---- POST /players: bodies that are not a JSON object → 400 ----
post /players ''
refused 400 bad_json "empty body"
http POST /players -u "$E2E_ADMIN"
refused 400 bad_json "no body, no Content-Type"
for body in 'hello' '[]' '[{"name":"x"}]' '42' '-1.5e3' '"alice"' 'true' 'null' '{' '{"name":' \
	'{"name":"al' '{"name":"alice"' '{"name":"alice",}' '{"name" "alice"}' "{'name':'alice'}" \
	'{"name":"alice"} {}' '{"name":"alice"}x' '{name:"alice"}' '{"name":"a\x"}' '{"name":"\u12"}'; do
	post /players "$body"
	refused 400 bad_json "not a JSON object: $body"
done
for literal in NaN Infinity -Infinity +1 01 1. .5 0x10 1e; do
	post /players "{\"name\":\"num\",\"gold\":$literal}"
	refused 400 bad_json "number literal $literal"
done
post /players "$(repeat '[' 10000)$(repeat ']' 10000)"
refused 400 bad_json "arrays nested 10,000 deep"
post /players "$(repeat '{"a":' 10000)1$(repeat '}' 10000)"
refused 400 bad_json "objects nested 10,000 deep"
post /players "{\"name\":\"deep\",\"description\":$(repeat '[' 17)1$(repeat ']' 17)}"
refused 400 bad_json "nested 18 deep"

# ---- encodings: invalid and overlong UTF-8, NUL ----
post /players $'{"name":"\xff"}'
refused 400 bad_json "invalid UTF-8 byte 0xFF"
post /players $'{"name":"caf\xc3"}'
refused 400 bad_json "truncated UTF-8 sequence"
post /players $'{"name":"\xc0\xaf"}'
refused 400 bad_json "overlong 2-byte UTF-8 (/)"
post /players $'{"name":"\xe0\x80\xaf"}'
refused 400 bad_json "overlong 3-byte UTF-8"
post /players $'{"name":"\xf0\x80\x80\xaf"}'
refused 400 bad_json "overlong 4-byte UTF-8"
post /players $'{"name":"\xed\xa0\x80"}'
refused 400 bad_json "UTF-8-encoded surrogate"
post /players $'{"name":"\xf4\x90\x80\x80"}'
refused 400 bad_json "UTF-8 past U+10FFFF"
post /players $'\xef\xbb\xbf{"name":"bom"}'
refused 400 bad_json "byte-order mark"
printf '{"name":"nul\0byte"}' > "$BODY_FILE"
post_file /players
refused 400 bad_json "a raw NUL byte in a string"
post /players $'{"name":"tab\there"}'
refused 400 bad_json "a raw control character in a string"
post /players '{"na\u0000me":"x"}'
refused 422 invalid_field "\\u0000 in a key is an unknown field, named as sent" 'na\u0000me'
post /players '{"name\u0000x":"bob"}'
refused 422 invalid_field "a key that json-c would cut to \"name\"" 'name\u0000x'
if printf '%s' "$BODY" | jq -e '.error.fields.name == "is required" and .error.fields["name\\u0000x"] == "unknown field"' >/dev/null; then
	pass "the cut key is not taken for name"
else
	fail "the cut key is not taken for name" "body: $BODY"
fi
post /players '{"name":"a\u0000b"}'
refused 422 invalid_field "\\u0000 in the name" name
post /players '{"name":"x","description":"a\u0000b"}'
refused 422 invalid_field "\\u0000 in the description" description
post /players '{"name":"x","password":"12345678\u0000"}'
refused 422 invalid_field "\\u0000 in the password" password
post /players '{"name":"\ud800"}'
refused 422 invalid_field "a lone high surrogate escape" name
post /players '{"name":"x\udc00y"}'
refused 422 invalid_field "a lone low surrogate escape" name
post /players '{"name":"\ud83d\u0041"}'
refused 422 invalid_field "a high surrogate without its low half" name

# ---- Content-Type ----
for type in 'text/plain' 'application/x-www-form-urlencoded' 'application/jsonx' 'text/json' \
	'application/json; charset=latin1' 'application/problem+json' 'multipart/form-data; boundary=x'; do
	http POST /players -u "$E2E_ADMIN" -H "Content-Type: $type" --data-binary '{"name":"typed"}'
	refused 415 unsupported_media_type "Content-Type: $type"
done
http POST /players -u "$E2E_ADMIN" -H 'Content-Type:' --data-binary '{"name":"typed"}'
refused 415 unsupported_media_type "no Content-Type with a body"
http POST /players -H 'Content-Type: text/plain' --data-binary 'x'
refused 401 unauthorized "credentials come before the media type"

# ---- size: 64 KiB + 1 is refused before parsing; 64 KiB is parsed ----
head -c 65537 /dev/zero | tr '\0' ' ' > "$BODY_FILE"
post_file /players
refused_by_nginx 413 "a body of 64 KiB + 1"
expect_json .error.code payload_too_large "413 code"
post_file /players -H 'Transfer-Encoding: chunked'
refused_by_nginx 413 "a chunked body of 64 KiB + 1"
prefix='{"name":"big","description":"'
{ printf '%s' "$prefix"; head -c $((65536 - ${#prefix} - 2)) /dev/zero | tr '\0' d; printf '"}'; } > "$BODY_FILE"
check "the 64 KiB body is exactly 65536 bytes" test "$(stat -c %s "$BODY_FILE")" = 65536
post_file /players
refused 422 invalid_field "a body of exactly 64 KiB is parsed" description

# ---- every player field at min−1 and max+1, wrong types, big numbers ----
while IFS='|' read -r field value; do
	post /players "{\"name\":\"bounds\",\"$field\":$value}"
	refused 422 invalid_field "$field = $(printf '%.40s' "$value")" "$field"
done <<EOF
name|""
name|"$(repeat x 21)"
name|"$(repeat $'\xf0\x9f\x98\x80' 21)"
name|"admin"
name|"AdMiN"
name|"a:b"
name|"bell\u0007"
name|"del\u007f"
name|"c1\u0085"
name|"\u001b[31mred"
name|1
name|null
name|["x"]
name|{"a":1}
name|true
description|"$(repeat d 1001)"
description|5
gold|-1
gold|1000000001
gold|99999999999999999999
gold|-99999999999999999999
gold|18446744073709551616
gold|9223372036854775807
gold|9223372036854775808
gold|-9223372036854775809
gold|1.0
gold|1.5
gold|1e3
gold|1E+2
gold|-0.0
gold|"5"
gold|null
gold|true
silver|-1
silver|1000000001
silver|1e9
attack|0
attack|1001
attack|-1
attack|70.0
hit_points|0
hit_points|1001
luck|-1
luck|91
luck|10.5
password|"1234567"
password|"$(repeat p 129)"
password|12345678
password|null
EOF
post /players '{"name":"sql",,"gold":1}'
refused 400 bad_json "a stray comma"
post /players '{"name":"bounds","hitpoints":5}'
refused 422 invalid_field "an unknown field (a typo)" hitpoints
post /players '{"description":"no name"}'
refused 422 invalid_field "the required name missing" name
post /players '{}'
refused 422 invalid_field "an empty object" name
post /players '{"name":"x","gold":-1,"luck":91,"attack":"7","extra":1}'
refused 422 invalid_field "several bad fields at once" gold
expect_json '.error.fields | keys | join(",")' "attack,extra,gold,luck" "every bad field named"
post /players "{\"name\":\"'; DROP TABLE players;--\"}"
refused 422 invalid_field "a 24-character SQL-looking name" name
post /players '{"name":"bob"}'
refused 409 conflict "a name already taken"
post /players '{"name":"dup","name":"admin"}'
refused 422 invalid_field "duplicate keys: the last one (admin) counts" name
post /players '{"name":"x"}' -u "alice:alice password"
refused 401 unauthorized "a player's Basic credentials on POST /players"
post_as "Bearer $alice_token" /players '{"name":"x"}'
refused 403 forbidden "a player's token on POST /players"

# ---- POST /battles ----
for body in '' 'hello' '[1,2]' '7' '"battle"' 'null' '{"attacker_id":1,' "$(repeat '[' 10000)$(repeat ']' 10000)" \
	'{"attacker_id":NaN,"defender_id":2}' '{"attacker_id":Infinity,"defender_id":2}' \
	$'{"attacker_id":1,"defender_id":2,"x":"\xc0\xaf"}' $'{"attacker_id":1,"defender_id":2,"x":"\xff"}'; do
	post /battles "$body"
	refused 400 bad_json "battle body $(printf '%.40s' "$body")"
done
post /battles '{"attacker_id":1,"defender_id":2,"\u0000":1}'
refused 422 invalid_field "a battle body with a \\u0000 key: an unknown field" '\u0000'
http POST /battles -u "$E2E_ADMIN" -H 'Content-Type: text/plain' --data-binary "{\"attacker_id\":$alice,\"defender_id\":$bob}"
refused 415 unsupported_media_type "battle with text/plain"
head -c 65537 /dev/zero | tr '\0' ' ' > "$BODY_FILE"
post_file /battles
refused_by_nginx 413 "a battle body of 64 KiB + 1"
while IFS='|' read -r attacker defender field; do
	post /battles "{\"attacker_id\":$attacker,\"defender_id\":$defender}"
	refused 422 invalid_field "attacker_id $attacker, defender_id $defender" "$field"
done <<EOF
0|$bob|attacker_id
-1|$bob|attacker_id
1e3|$bob|attacker_id
99999999999999999999|$bob|attacker_id
-99999999999999999999|$bob|attacker_id
9007199254740992|$bob|attacker_id
1.0|$bob|attacker_id
"$alice"|$bob|attacker_id
null|$bob|attacker_id
true|$bob|attacker_id
[$alice]|$bob|attacker_id
$alice|0|defender_id
$alice|1e3|defender_id
$alice|99999999999999999999|defender_id
$alice|$alice|defender_id
$alice|9007199254740991|defender_id
999999|$bob|attacker_id
EOF
post /battles "{\"attacker_id\":$alice}"
refused 422 invalid_field "defender_id missing" defender_id
post /battles "{\"attacker_id\":$alice,\"defender_id\":$bob,\"attacker\":1}"
refused 422 invalid_field "an unknown battle field" attacker
post /battles "{\"attacker_id\":$alice,\"defender_id\":$bob,\"defender_id\":$alice}"
refused 422 invalid_field "duplicate keys: the last defender_id (the attacker) counts" defender_id
# (curl sends an empty header for "Name;", and drops "Name: " altogether)
for key in ';' ': with space' ": $(repeat k 256)" $': caf\xc3\xa9' $': tab\tkey' $': ctl\x01key'; do
	post /battles "{\"attacker_id\":$alice,\"defender_id\":$bob}" -H "Idempotency-Key$key"
	refused 422 invalid_field "Idempotency-Key$(printf '%.20s' "$key")" Idempotency-Key
done
post_as "Bearer $alice_token" /battles "{\"attacker_id\":$bob,\"defender_id\":$alice}"
refused 403 forbidden "a player attacking as another player"
post_as "Bearer $alice_token" /battles "{\"attacker_id\":$bob,\"defender_id\":0}"
refused 403 forbidden "403 comes before 422 for another player's attacker_id"
http POST /battles -H 'Content-Type: application/json' --data-binary '{}'
refused 401 unauthorized "a battle without credentials"

# ---- POST /sessions: malformed credentials ----
for credentials in 'Basic' 'Basic !!!!' 'Basic YWxpY2U=' 'Basic YWxpY2U6' 'Basic =' 'Basic YWxpY2U6YWxpY2UgcGFzc3dvcmQ' \
	"Basic $(printf 'alice:\xff' | base64)" "Basic $(printf ':alice password' | base64)" \
	"Basic $(printf 'alice\0x:alice password' | base64)" "Basic $(printf 'admin:%s' "$E2E_ADMIN_PASSWORD" | base64)" \
	"Bearer $alice_token" 'Bearer' "Bearer $(repeat a 5000)" 'Digest username="alice"' 'alice:alice password'; do
	http POST /sessions -H "Authorization: $credentials"
	refused 401 unauthorized "POST /sessions with '$(printf '%.30s' "$credentials")'"
done
http POST /sessions -u "alice:alice passwore"
refused 401 unauthorized "a wrong password"
http POST /sessions -u "$(repeat n 2000):x"
refused 401 unauthorized "a 2000-byte user name"
http POST /sessions -u "alice:alice password" -H 'Content-Type: text/plain' --data-binary 'alice'
refused 415 unsupported_media_type "a session request with a text/plain body"
http POST /sessions -u "alice:alice password" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary 'a=b'
refused 415 unsupported_media_type "a session request with a form body"
head -c 65537 /dev/zero | tr '\0' ' ' > "$BODY_FILE"
http POST /sessions -u "alice:alice password" -H 'Content-Type: application/json' --data-binary "@$BODY_FILE"
refused_by_nginx 413 "a session request with a body of 64 KiB + 1"

# ---- methods: 405 with Allow on every known path; nginx's own refusals ----
while IFS='|' read -r method path allow; do
	http "$method" "$path" -u "$E2E_ADMIN"
	refused 405 method_not_allowed "$method $path"
	expect_header Allow "$allow" "$method $path: Allow"
done <<EOF
PUT|/players|POST
DELETE|/players/$alice|GET
PATCH|/players/$alice/battles|GET
GET|/sessions|POST
GET|/battles|POST
DELETE|/battles/1|GET
POST|/leaderboard|GET
POST|/heartbeat|GET
OPTIONS|/heartbeat|GET
EOF
http TRACE /heartbeat
refused_by_nginx 405 "TRACE (refused by nginx)"

# ---- ids and path tricks: 404, never another resource ----
for path in /players/0 /players/-1 /players/1e3 /players/99999999999999999999 /players/999999999999999999 \
	/players/01 /players/+1 /players/1.0 "/players/$alice/" "/players/$alice/x" /players/x /players/%31 \
	/players/1%2F /Players/1 /players/ /battles/0 /battles/-1 /battles/1e3 /battles/99999999999999999999 \
	/battles/999999 /players/0/battles /players/-1/battles /players/1e3/battles /players/999999/battles \
	"/players/$alice/../$alice" "/players/$alice/./battles" "//players/$alice" "/players//$alice" //players \
	//heartbeat /heartbeat/ /heartbeat/. "/players/$alice;x" "/players/$alice%20" /%68eartbeat; do
	http GET "$path" -u "$E2E_ADMIN" --path-as-is
	refused 404 not_found "GET $path"
done
for path in "/players/$alice%00" /heartbeat%00 /../heartbeat /%2e%2e/heartbeat "/players/$alice%"; do
	http GET "$path" -u "$E2E_ADMIN" --path-as-is
	refused_by_nginx 400 "GET $path (refused by nginx)"
done
json POST //players '{"name":"slashes"}' -u "$E2E_ADMIN" --path-as-is
refused 404 not_found "POST //players"
json POST /players/ '{"name":"slashes"}' -u "$E2E_ADMIN" --path-as-is
refused 404 not_found "POST /players/"
json POST /battles/../players '{"name":"dots"}' -u "$E2E_ADMIN" --path-as-is
refused 404 not_found "POST /battles/../players"
http GET "/$(repeat a 10000)"
refused_by_nginx 414 "a 10,000-character path"
http GET "/players/$alice" -H "X-Padding: $(repeat a 9000)" -u "$E2E_ADMIN"
refused_by_nginx 400 "a 9,000-byte header"
http GET "/players/$alice" -H "Authorization: Bearer $(repeat a 9000)"
refused_by_nginx 400 "a 9,000-byte Authorization header"

# ---- query strings: repeats, bounds, junk ----
for query in 'limit=1&limit=2' 'limit=1&limit=1' 'offset=0&offset=0' 'limit=0' 'limit=101' 'limit=-1' 'limit=1e3' \
	'limit=99999999999999999999' 'limit=' 'limit' 'limit=abc' 'limit=1.0' 'limit=%zz' 'limit=%2B1' 'limit=0x10' \
	'offset=-1' 'offset=1000000000000001' 'around=0' 'around=-1' 'around=999999' 'around=99999999999999999999' \
	"around=$alice&offset=0" 'sort=name' '%ff=1' '%00=1' 'limit=1%00' "limit=10&around=$alice&around=$bob"; do
	http GET "/leaderboard?$query" -u "$E2E_ADMIN"
	param=${query%%=*}
	case "$query" in
	around=$alice\&offset*) param=offset ;;
	limit=10\&around*) param=around ;;
	esac
	refused 422 invalid_field "GET /leaderboard?$query" "$param"
done
for query in 'limit=1&limit=2' 'offset=1&offset=2' 'limit=0' 'limit=101' 'offset=-1' 'around=1' 'x=1'; do
	http GET "/players/$alice/battles?$query" -u "$E2E_ADMIN"
	refused 422 invalid_field "GET /players/{id}/battles?$query" "${query%%=*}"
done

# ---- nothing changed, nobody died ----
snapshot "$E2E_TMP/after.dump"
if cmp -s "$E2E_TMP/before.dump" "$E2E_TMP/after.dump"; then
	pass "the database and Redis are unchanged by every refused request"
else
	fail "the database and Redis are unchanged by every refused request" \
		"$(diff "$E2E_TMP/before.dump" "$E2E_TMP/after.dump" | head -n 20 | tr '\n' ' ')"
fi
check "no responder, worker, Redis or nginx restarted ($pids_before)" test "$(pids)" = "$pids_before"
check "the supervisor restarted nothing" bash -c "! grep -q 'exited; restarting' '$E2E_TMP/stack.log'"
check "no sanitizer report or crash in the logs" \
	bash -c "! grep -E -q 'AddressSanitizer|runtime error|LeakSanitizer|Segmentation|Aborted' '$E2E_STATE'/log/*.log"
check "no worker_connections or upstream errors in nginx's log" \
	bash -c "! grep -E -q 'upstream prematurely closed|connect\\(\\) failed|recv\\(\\) failed' '$E2E_STATE/log/nginx-error.log'"

# ============ boundary values that must be accepted, stored verbatim ============

# accepted NAME JSON_FIELDS: creates, then compares the stored row with what was sent.
accepted() {
	local name=$1 fields=$2 description=$3 id
	post /players "{\"name\":$name${fields:+,$fields}}"
	expect_status 201 "$description"
	id=$(jq_body .id)
	http GET "/players/$id" -u "$E2E_ADMIN"
	if printf '%s' "$BODY" | jq -e --argjson sent "{\"name\":$name${fields:+,$fields}}" \
		'. as $got | $sent | del(.password) | to_entries | all(.value == $got[.key])' >/dev/null 2>&1; then
		pass "$description: read back as sent"
	else
		fail "$description: read back as sent" "got $(printf '%s' "$BODY" | head -c 300)"
	fi
}

# The store's tables, one line.
tables() {
	if [ "$E2E_BACKEND" = postgresql ]; then
		sql "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'"
	else
		sql "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master ORDER BY name)"
	fi
}
# What a name takes in bytes (SQLite before 3.43 has no octet_length).
name_bytes() {
	if [ "$E2E_BACKEND" = postgresql ]; then
		sql "SELECT octet_length(name) FROM players WHERE name = '$1'"
	else
		sql "SELECT length(CAST(name AS BLOB)) FROM players WHERE name = '$1'"
	fi
}
players_before=$(sql 'SELECT count(*) FROM players')
tables_before=$(tables)
accepted '"m"' '' "a 1-character name"
accepted "\"$(repeat x 20)\"" '' "a 20-character name"
accepted "\"$(repeat $'\xf0\x9f\x98\x80' 20)\"" '' "a name of 20 four-byte characters (80 bytes)"
accepted '"\ud83d\ude00 pair"' '' "a valid surrogate pair escape"
accepted '"Ünïcødé 名前"' '"description":""' "a multi-byte name, empty description"
accepted '"max-desc"' "\"description\":\"$(repeat é 1000)\"" "a 1000-character description of 2-byte characters"
accepted '"min-ints"' '"gold":0,"silver":0,"attack":1,"hit_points":1,"luck":0' "every integer at its minimum"
accepted '"max-ints"' '"gold":1000000000,"silver":1000000000,"attack":1000,"hit_points":1000,"luck":90' \
	"every integer at its maximum"
accepted '"pw-min"' '"password":"12345678"' "an 8-byte password"
accepted '"pw-max"' "\"password\":\"$(repeat p 128)\"" "a 128-byte password"
accepted '"-1"' '' "a name that looks like a negative id"
accepted "\"';DROP TABLE players\"" '' "SQL-looking name: ';DROP TABLE players"
accepted "\"Robert'); --\"" '' "SQL-looking name: Robert'); --"
accepted '"\" OR 1=1 --"' '' "SQL-looking name: \" OR 1=1 --"
accepted '"%s%n%x"' '"description":"%s%n $(id) `id` <script>"' "format and shell metacharacters"
post /players '{"name":"admin","name":"dup-last"}'
expect_status 201 "duplicate keys: the last one counts"
expect_json .name dup-last "the last duplicate is the one stored"
check "every accepted create is one new row" \
	test "$(sql 'SELECT count(*) FROM players')" = "$((players_before + 16))"
check "no SQL ran: the tables are the same" test "$(tables)" = "$tables_before"
check "the SQL-looking name is stored byte for byte" \
	test "$(sql "SELECT count(*) FROM players WHERE name = ''';DROP TABLE players'")" = 1
check "the 80-byte name is stored byte for byte" test "$(name_bytes '😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀')" = 80
http GET "/leaderboard?limit=%31%30&offset=0" -u "$E2E_ADMIN"
expect_status 200 "percent-encoded digits in the query"
expect_json '.entries | length' 10 "limit=%31%30 is 10"

# ---- the routes still work after all of it ----
post /battles "{\"attacker_id\":$alice,\"defender_id\":$bob}" -H 'Idempotency-Key: after-the-matrix'
expect_status 202 "a valid battle after the matrix"
http GET /heartbeat
expect_status 200 "heartbeat after the matrix"
check "still no process restarted" test "$(pids)" = "$pids_before"

e2e_finish
