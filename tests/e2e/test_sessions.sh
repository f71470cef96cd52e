#!/bin/bash
# SPDX-License-Identifier: ISC
# test_sessions.sh — API v1.1 through nginx: ending a session, ending all of
# a player's sessions, changing a password (older tokens refused, the new
# password opens sessions, the old one does not), who may call them, keyset
# paging of a player's battles with `before`; and the attacks the
# attack-and-fault pass found: admin password guessing (throttled per client
# address after 10 failures a minute, other addresses unaffected, one log
# line per failure that the package's fail2ban filter matches) and a body
# key holding \u0000 (422 naming the field, not 400).
. "$(dirname "$0")/lib.sh"

# The installed site's limits, so the failure throttle is on.
export PT_RATE_LIMIT=1
e2e_start_stack 2 || exit 1

alice=$(create_player alice '"password":"alice password"') || exit 1
bob=$(create_player bob '"password":"bob password"') || exit 1
alice_token=$(session alice "alice password") || exit 1
alice_other=$(session alice "alice password") || exit 1
bob_token=$(session bob "bob password") || exit 1
check "two sessions of one player get different tokens" test "$alice_token" != "$alice_other"

# ---- DELETE /sessions/current ------------------------------------------------
http DELETE /sessions/current -H "Authorization: Bearer $alice_token"
expect_status 204 "sign out: 204"
check "sign out: no body" test -z "$BODY"
http GET "/players/$alice" -H "Authorization: Bearer $alice_token"
expect_error 401 unauthorized "the signed-out token is refused"
http DELETE /sessions/current -H "Authorization: Bearer $alice_token"
expect_error 401 unauthorized "signing out twice: the token is already refused"
http GET "/players/$alice" -H "Authorization: Bearer $alice_other"
expect_status 200 "the player's other session still works"
http DELETE /sessions/current -u "$E2E_ADMIN"
expect_error 403 forbidden "the admin has no session to end"
http DELETE /sessions/current -u "alice:alice password"
expect_error 401 unauthorized "a player's Basic credentials are for POST /sessions only"
http DELETE /sessions/current
expect_error 401 unauthorized "no credentials"
http GET /sessions/current -H "Authorization: Bearer $alice_other"
expect_error 405 method_not_allowed "GET /sessions/current"
expect_header Allow "DELETE" "Allow on /sessions/current"

# ---- DELETE /players/{id}/sessions --------------------------------------------
http DELETE "/players/$alice/sessions" -H "Authorization: Bearer $bob_token"
expect_error 403 forbidden "another player may not end alice's sessions"
second=$(session alice "alice password") || exit 1
http DELETE "/players/$alice/sessions" -H "Authorization: Bearer $alice_other"
expect_status 204 "alice ends all her sessions"
http GET "/players/$alice" -H "Authorization: Bearer $alice_other"
expect_error 401 unauthorized "the token that asked is refused too"
http GET "/players/$alice" -H "Authorization: Bearer $second"
expect_error 401 unauthorized "every older token is refused"
http GET "/players/$bob" -H "Authorization: Bearer $bob_token"
expect_status 200 "bob's session is untouched"
fresh=$(session alice "alice password") || exit 1
http GET "/players/$alice" -H "Authorization: Bearer $fresh"
expect_status 200 "a session opened afterwards works"
http DELETE "/players/$bob/sessions" -u "$E2E_ADMIN"
expect_status 204 "the admin ends bob's sessions"
http GET "/players/$bob" -H "Authorization: Bearer $bob_token"
expect_error 401 unauthorized "bob's token is refused"
http DELETE /players/999999/sessions -u "$E2E_ADMIN"
expect_error 404 not_found "an unknown player"

# ---- PUT /players/{id}/password ---------------------------------------------
password_body='{"password":"alice new password","current_password":"alice password"}'
json PUT "/players/$alice/password" "$password_body" -H "Authorization: Bearer $(session bob "bob password")"
expect_error 403 forbidden "another player may not change alice's password"
json PUT "/players/$alice/password" '{"password":"alice new password"}' -H "Authorization: Bearer $fresh"
expect_error 422 invalid_field "a player must send current_password"
expect_json '.error.fields.current_password' 'is required' "names current_password"
json PUT "/players/$alice/password" '{"password":"alice new password","current_password":"wrong one!"}' \
	-H "Authorization: Bearer $fresh"
expect_error 403 forbidden "a wrong current_password"
json PUT "/players/$alice/password" '{"password":"short","current_password":"alice password","x":1}' \
	-H "Authorization: Bearer $fresh"
expect_error 422 invalid_field "a short new password and an unknown field"
expect_json '.error.fields | keys | join(",")' 'password,x' "both named"
http PUT "/players/$alice/password" -H "Authorization: Bearer $fresh" --data-binary "$password_body" \
	-H 'Content-Type: text/plain'
expect_error 415 unsupported_media_type "a body that is not JSON"
http GET "/players/$alice" -H "Authorization: Bearer $fresh"
expect_status 200 "refused changes changed nothing"
json PUT "/players/$alice/password" "$password_body" -H "Authorization: Bearer $fresh"
expect_status 204 "alice changes her password"
http GET "/players/$alice" -H "Authorization: Bearer $fresh"
expect_error 401 unauthorized "older tokens are refused after a password change"
http POST /sessions -u "alice:alice password"
expect_error 401 unauthorized "the old password no longer opens sessions"
new_token=$(session alice "alice new password") || exit 1
http GET "/players/$alice" -H "Authorization: Bearer $new_token"
expect_status 200 "the new password opens sessions"
json PUT "/players/$bob/password" '{"password":"bob second password"}' -u "$E2E_ADMIN"
expect_status 204 "the admin sets bob's password without the current one"
session bob "bob second password" >/dev/null
check "bob signs in with the password the admin set" test "$STATUS" = 201
json PUT /players/999999/password '{"password":"whatever password"}' -u "$E2E_ADMIN"
expect_error 404 not_found "password of an unknown player"
carol=$(create_player carol) || exit 1
json PUT "/players/$carol/password" '{"password":"carol password"}' -u "$E2E_ADMIN"
expect_status 204 "a player created without a password gets one"
session carol "carol password" >/dev/null
check "carol can sign in now" test "$STATUS" = 201

# ---- keyset paging: before -----------------------------------------------------
ids=()
for i in $(seq 1 7); do
	json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$carol}" -u "$E2E_ADMIN"
	ids+=("$(jq_body .id)")
done
http GET "/players/$carol/battles?limit=3" -u "$E2E_ADMIN"
expect_json '[.battles[].id] | map(tostring) | join(",")' "${ids[6]},${ids[5]},${ids[4]}" "first page: newest first"
expect_json .total 7 "total counts every battle"
http GET "/players/$carol/battles?limit=3&before=${ids[4]}" -u "$E2E_ADMIN"
expect_json '[.battles[].id] | map(tostring) | join(",")' "${ids[3]},${ids[2]},${ids[1]}" "before: the next page below that id"
expect_json .total 7 "total still counts every battle"
http GET "/players/$carol/battles?limit=3&before=${ids[1]}" -u "$E2E_ADMIN"
expect_json '[.battles[].id] | map(tostring) | join(",")' "${ids[0]}" "the last page"
http GET "/players/$carol/battles?before=${ids[1]}&offset=1" -u "$E2E_ADMIN"
expect_error 422 invalid_field "before with offset"
expect_json '.error.fields | keys | join(",")' 'before' "keyed before"
http GET "/players/$carol/battles?before=0" -u "$E2E_ADMIN"
expect_error 422 invalid_field "before=0"
http GET "/players/$carol/battles?before=abc" -u "$E2E_ADMIN"
expect_error 422 invalid_field "before=abc"

# ---- a \u0000 in a key ----------------------------------------------------------
json POST /players '{"name":"dave","na\u0000me":"x"}' -u "$E2E_ADMIN"
expect_error 422 invalid_field "a key with \\u0000 is an unknown field"
expect_json '.error.fields["na\\u0000me"]' 'unknown field' "named as sent"
http GET /players/999999 -u "$E2E_ADMIN"
expect_error 404 not_found "and nothing was created"

# ---- admin password guessing ------------------------------------------------------
# Ten failures from one address within a minute: that address gets 429 with
# Retry-After on every route that needs credentials, with right credentials
# too; public routes and other addresses are unaffected.
attacker=127.0.3.7
for i in $(seq 1 10); do
	http GET "/players/$alice" -u "admin:guess number $i" --interface "$attacker"
	[ "$STATUS" = 401 ] || fail "guess $i is 401" "status $STATUS"
done
pass "ten wrong admin passwords: 401 each"
http GET "/players/$alice" -u "admin:guess number 11" --interface "$attacker"
expect_error 429 too_many_requests "the eleventh guess is throttled"
retry=$(header Retry-After)
check "429 carries Retry-After within the minute ($retry)" test "${retry:-0}" -ge 1 -a "${retry:-0}" -le 60
check "one Retry-After header" test "$(grep -ic '^retry-after:' "$HEADERS")" = 1
http GET "/players/$alice" -u "$E2E_ADMIN" --interface "$attacker"
expect_error 429 too_many_requests "right credentials from that address wait too"
json POST /players '{"name":"eve"}' -u "$E2E_ADMIN" --interface "$attacker"
expect_error 429 too_many_requests "POST /players from that address"
http GET /leaderboard -H "Authorization: Bearer $new_token" --interface "$attacker"
expect_error 429 too_many_requests "a token from that address"
http GET /heartbeat --interface "$attacker"
check "the public heartbeat is not throttled ($STATUS)" test "$STATUS" = 200
http GET "/players/$alice" -u "$E2E_ADMIN" --interface 127.0.3.8
expect_status 200 "another address is unaffected"
http GET /players/999999 -u "$E2E_ADMIN"
expect_error 404 not_found "nothing was created from the throttled address"

# One log line per failure, with address, route and time, never the password.
log_lines=$(grep -h "auth failure: address=$attacker " "$E2E_STATE/log/responder.log" 2>/dev/null | wc -l)
check "each failure logged once ($log_lines lines)" test "$log_lines" = 10
line=$(grep -h "auth failure: address=$attacker " "$E2E_STATE/log/responder.log" | head -1)
check "the line names the route and the time ($line)" \
	grep -qE "route=\"GET /players/$alice\" time=[0-9]{4}-[0-9]{2}-[0-9]{2}T" <<< "$line"
check "no guessed password in the log" test -z "$(grep -rh 'guess number' "$E2E_STATE/log/")"
filter=$PT_SRCDIR/fail2ban/filter.d/platform-test.conf
if command -v fail2ban-regex >/dev/null 2>&1; then
	matched=$(fail2ban-regex "$E2E_STATE/log/responder.log" "$filter" 2>/dev/null | sed -n 's/^Lines: .*, \([0-9]*\) matched.*/\1/p')
	check "the fail2ban filter matches the failure lines (${matched:-none})" test "${matched:-0}" -gt 0
else
	failregex=$(sed -n 's/^failregex = //p' "$filter" | sed 's/<HOST>/[0-9a-fA-F.:]+/; s/^\^//')
	check "the fail2ban filter's failregex matches a failure line" grep -qE "$failregex" <<< "$line"
fi

# The honest admin stays fast: the slow hash is paid once per process.
start=$(date +%s%N)
for i in $(seq 1 20); do
	http GET "/players/$alice" -u "$E2E_ADMIN"
done
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
e2e_log "20 admin requests after the first: ${elapsed_ms} ms"
expect_status 200 "the admin's requests still succeed"

e2e_finish
