#!/bin/bash
# SPDX-License-Identifier: ISC
# test_battles.sh — battles through nginx: submission rules, Idempotency-Key,
# reports, a player's battle list; then 5,000 battles from concurrent clients
# and the invariants of exactly-once, in-order application.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/battles_lib.sh"

e2e_start_stack 2 || exit 1

alice=$(create_player alice '"password":"alice password","gold":1000,"silver":100')
bob=$(create_player bob '"password":"bob password","gold":500')
carol=$(create_player carol)
alice_token=$(session alice "alice password")
bob_token=$(session bob "bob password")

# ---- submission ----
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$bob}" -H "Authorization: Bearer $alice_token"
expect_status 202 "the attacker submits a battle"
first=$(jq_body .id)
expect_header Location "/battles/$first" "Location of the battle"
expect_json '[.status, .attacker_id, .defender_id] | map(tostring) | join(",")' "queued,$alice,$bob" "the queued battle object"
expect_json '.submitted_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")' true "submitted_at is RFC 3339"
json POST /battles "{\"attacker_id\":$bob,\"defender_id\":$carol}" -u "$E2E_ADMIN"
expect_status 202 "the admin submits a battle"
second=$(jq_body .id)
check "battle ids increase" test "$second" -gt "$first"
json POST /battles "{\"attacker_id\":$bob,\"defender_id\":$alice}" -H "Authorization: Bearer $alice_token"
expect_error 403 forbidden "a player attacking as another player"
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$alice}" -H "Authorization: Bearer $alice_token"
expect_error 422 invalid_field "attacker and defender the same"
expect_json '.error.fields | keys | join(",")' defender_id "names defender_id"
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":999999}" -u "$E2E_ADMIN"
expect_error 422 invalid_field "an unknown defender"
expect_json '.error.fields | keys | join(",")' defender_id "names defender_id"
json POST /battles '{"attacker_id":999998,"defender_id":999999}' -u "$E2E_ADMIN"
expect_json '.error.fields | keys | join(",")' attacker_id,defender_id "names both unknown players"
json POST /battles "{\"attacker_id\":\"$alice\",\"defender_id\":$bob,\"extra\":1}" -u "$E2E_ADMIN"
expect_error 422 invalid_field "wrong type and unknown field"
expect_json '.error.fields | keys | join(",")' attacker_id,extra "names both"
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$bob}"
expect_error 401 unauthorized "a battle without credentials"
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$bob}" -u "alice:alice password"
expect_error 401 unauthorized "a player's Basic credentials on /battles"
http POST /battles -u "$E2E_ADMIN" -H 'Content-Type: text/plain' --data-binary "{\"attacker_id\":$alice,\"defender_id\":$bob}"
expect_error 415 unsupported_media_type "a battle without application/json"
json POST /battles '{"attacker_id":' -u "$E2E_ADMIN"
expect_error 400 bad_json "a truncated battle body"

# ---- Idempotency-Key ----
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$carol}" -H "Authorization: Bearer $alice_token" -H 'Idempotency-Key: retry-1'
expect_status 202 "first use of a key"
keyed=$(jq_body .id)
count=$(sql "SELECT count(*) FROM battles")
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$carol}" -H "Authorization: Bearer $alice_token" -H 'Idempotency-Key: retry-1'
expect_status 202 "a retry with the same key"
expect_json .id "$keyed" "the retry answers the first battle"
expect_header Location "/battles/$keyed" "the retry's Location"
check "the retry queued nothing" test "$(sql "SELECT count(*) FROM battles")" = "$count"
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$bob}" -H "Authorization: Bearer $alice_token" -H 'Idempotency-Key: retry-1'
expect_error 409 conflict "the same key with a different body"
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$carol}" -u "$E2E_ADMIN" -H 'Idempotency-Key: retry-1'
expect_status 202 "the same key from another caller is another battle"
check "another caller's key queues a new battle" test "$(jq_body .id)" != "$keyed"
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$carol}" -u "$E2E_ADMIN" -H "Idempotency-Key: $(head -c 256 /dev/zero | tr '\0' k)"
expect_error 422 invalid_field "a 256-character key"
expect_json '.error.fields | has("Idempotency-Key")' true "names Idempotency-Key"
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$carol}" -u "$E2E_ADMIN" -H "Idempotency-Key: has space"
expect_error 422 invalid_field "a key with a space"

# ---- reports ----
wait_for_drain 20
check "the queue drains" test $? = 0
http GET "/battles/$first" -H "Authorization: Bearer $bob_token"
expect_status 200 "a processed battle"
expect_json .status done "status done"
expect_json '[.winner_id, .loser_id] | sort | map(tostring) | join(",")' "$(printf '%s\n' "$alice" "$bob" | sort | paste -sd,)" "winner and loser are the two players"
expect_json '.percent_stolen >= 10 and .percent_stolen <= 20' true "percent in 10..20"
expect_json '.score_awarded == .gold_stolen + .silver_stolen' true "score awarded is what was stolen"
expect_json '.seed | test("^[0-9a-f]{16}$")' true "the seed is kept"
expect_json '.participants.attacker.gold_before + .participants.defender.gold_before == .participants.attacker.gold_after + .participants.defender.gold_after' true "gold conserved in the report"
expect_json '.turns[0].striker_id' "$alice" "the attacker strikes first"
expect_json '[.turns[].n] == [range(1; (.turns|length)+1)]' true "turns numbered from 1"
expect_json '.turns[-1].target_hp' 0 "the last strike ends the battle"
expect_json '.turns[-1].target_id == .loser_id' true "the last target lost"
expect_json '[.turns[] | select(.missed) | .damage] | all(. == 0)' true "a miss does no damage"
http GET /battles/999999 -u "$E2E_ADMIN"
expect_error 404 not_found "an unknown battle"
http GET "/battles/$first"
expect_error 401 unauthorized "a battle without credentials"

# ---- Redis loses an acknowledged push: SQLite's queued row still gets
# applied, before the later battle that shares its player ----
worker=$(e2e_pid worker)
kill -STOP "$worker"
json POST /battles "{\"attacker_id\":$bob,\"defender_id\":$carol}" -u "$E2E_ADMIN"
lost=$(jq_body .id)
json POST /battles "{\"attacker_id\":$carol,\"defender_id\":$alice}" -u "$E2E_ADMIN"
later=$(jq_body .id)
redis-cli -s "$E2E_STATE/run/redis.sock" LREM pt:battles:queue 0 "$lost" >/dev/null
kill -CONT "$worker"
wait_for_drain 20
check "a battle whose queue entry was lost is applied" test "$(sql "SELECT status FROM battles WHERE id = $lost")" = done
check "it was applied before the later battle of the same player" test \
	"$(sql "SELECT CASE WHEN b.defender_gold_after = l.attacker_gold_before
	                     AND b.defender_silver_after = l.attacker_silver_before THEN 1 ELSE 0 END
	        FROM battles b, battles l WHERE b.id = $lost AND l.id = $later")" = 1

# ---- a player's battles ----
http GET "/players/$alice/battles" -H "Authorization: Bearer $bob_token"
expect_status 200 "alice's battles"
expect_json .total "$(sql "SELECT count(*) FROM battles WHERE $alice IN (attacker_id, defender_id)")" "total counts alice's battles"
expect_json '[.battles[].id] == ([.battles[].id] | sort | reverse)' true "newest first"
expect_json '.battles | map(has("turns") or has("participants")) | any' false "summaries without turns or participants"
http GET "/players/$alice/battles?limit=1&offset=1" -u "$E2E_ADMIN"
expect_json '.battles | length' 1 "limit 1"
expect_json '.battles[0].id' "$(sql "SELECT id FROM battles WHERE $alice IN (attacker_id, defender_id) ORDER BY id DESC LIMIT 1 OFFSET 1")" "offset 1"
http GET "/players/$alice/battles?limit=0" -u "$E2E_ADMIN"
expect_error 422 invalid_field "limit 0"
http GET "/players/$alice/battles?limit=101" -u "$E2E_ADMIN"
expect_error 422 invalid_field "limit 101"
http GET /players/999999/battles -u "$E2E_ADMIN"
expect_error 404 not_found "battles of an unknown player"

# ---- ids reach the queue in id order, submitted at once over both responders ----
# The worker stopped: the processing list (what it had taken, in order) and
# then the queue are the order in which the queue received the ids.
create_fighters 50
kill -STOP "$worker"
submit_battles 5 100 "$E2E_TMP/ordered"
{ redis-cli -s "$E2E_STATE/run/redis.sock" LRANGE pt:battles:processing 0 -1
  redis-cli -s "$E2E_STATE/run/redis.sock" LRANGE pt:battles:queue 0 -1; } | grep . > "$E2E_TMP/received"
kill -CONT "$worker"
check "500 concurrent submissions all answered 202" test "$(grep -c '^202 ' "$E2E_TMP/ordered")" = 500
check "the queue received their ids in increasing order" \
	test "$(awk 'NR > 1 && $1 <= last { bad++ } { last = $1 } END { print bad + 0 }' "$E2E_TMP/received")" = 0
check "the queue received every one of them" test "$(wc -l < "$E2E_TMP/received")" -ge 500
wait_for_drain 60
check "and they drain" test $? = 0

# ---- 5,000 battles from concurrent clients ----
gold=$(sql 'SELECT sum(gold) FROM players')
silver=$(sql 'SELECT sum(silver) FROM players')
sql "SELECT id FROM battles" > "$E2E_TMP/accepted"
submit_battles 5 1000 "$E2E_TMP/responses"
check "every one of the 5,000 submissions answered 202" test "$(grep -c '^202 ' "$E2E_TMP/responses")" = 5000
grep '^202 ' "$E2E_TMP/responses" | cut -d' ' -f2 >> "$E2E_TMP/accepted"
wait_for_drain 120
check "the backlog drains" test $? = 0
check_battle_invariants "$E2E_TMP/accepted" "$gold" "$silver"
http GET /heartbeat
expect_json .queue.pending 0 "heartbeat: nothing pending"

e2e_finish
