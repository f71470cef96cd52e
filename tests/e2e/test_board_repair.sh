#!/bin/bash
# SPDX-License-Identifier: ISC
# test_board_repair.sh — the Redis leaderboard repairs itself from the store,
# whatever part of it is lost or damaged, and platform-test-admin check
# compares the two:
#  - the worker's board check (every second) alone, the responders not
#    reading: the sorted set, the members hash, the marker deleted, in every
#    combination, FLUSHALL, a member that is no player, a member that does
#    not decode — each repaired within seconds;
#  - a responder reading a damaged board, the worker stopped: around= of a
#    player the board lost, a set and hash that disagree — it logs what is
#    wrong and answers from a rebuilt board, never 503;
#  - the hash lost while battles go on (once gave a player two entries);
#  - a rebuild lock left by a holder killed mid-rebuild expires in seconds;
#  - admin check: a wrong score, a lost queue entry, a queue id without a
#    row — printed, exit 4; --repair fixes them, exit 0;
#  - every "unavailable: " in the logs carries its detail.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/battles_lib.sh"

e2e_start_stack 2 || exit 1
redis_sock=$E2E_STATE/run/redis.sock

redis() {
	redis-cli -s "$redis_sock" "$@"
}

admin() {
	e2e_admin "$@"
}

# The board equals the store: the marker, one hash entry and one member per
# player, each with the store's score.
board_matches() {
	local players
	players=$(sql 'SELECT count(*) FROM players')
	[ "$(redis EXISTS pt:leaderboard:built)" = 1 ] || return 1
	[ "$(redis HLEN pt:leaderboard:members)" = "$players" ] || return 1
	[ "$(redis ZCARD pt:leaderboard)" = "$players" ] || return 1
	sql "SELECT id || ' ' || score FROM players ORDER BY id" > "$E2E_TMP/sqlite_scores"
	redis ZRANGE pt:leaderboard 0 -1 | while IFS=: read -r inverted id _; do
		echo "$((10#$id)) $((9223372036854775807 - 10#$inverted))"
	done | sort -n > "$E2E_TMP/redis_scores"
	cmp -s "$E2E_TMP/sqlite_scores" "$E2E_TMP/redis_scores"
}

# until_matches SECONDS: polls every 0.2 s.
until_matches() {
	local tries
	for tries in $(seq 1 $(($1 * 5))); do
		board_matches && return 0
		sleep 0.2
	done
	return 1
}

pids() {
	local name
	for name in responder-1 responder-2 worker redis nginx; do
		printf '%s=%s ' "$name" "$(e2e_pid "$name")"
	done
}

create_fighters 12
submit_battles 2 100 "$E2E_TMP/responses"
check "the battles are applied" wait_for_drain 30
check "the board matches the store to begin with" board_matches
players=$(sql 'SELECT count(*) FROM players')
pids_before=$(pids)

# ---- the worker's check alone: no request reads the board ----
for keys in pt:leaderboard pt:leaderboard:members pt:leaderboard:built \
	"pt:leaderboard pt:leaderboard:members" "pt:leaderboard pt:leaderboard:built" \
	"pt:leaderboard:members pt:leaderboard:built" "pt:leaderboard pt:leaderboard:members pt:leaderboard:built"; do
	# shellcheck disable=SC2086
	redis DEL $keys >/dev/null
	check "DEL $keys: the worker repairs the board within 10 s" until_matches 10
done
redis FLUSHALL >/dev/null
check "FLUSHALL: the worker repairs the board within 10 s" until_matches 10
redis EVAL "redis.call('ZADD', KEYS[1], 0, ARGV[1]); redis.call('HSET', KEYS[2], '999999', ARGV[1])" \
	2 pt:leaderboard pt:leaderboard:members "9223372036854775807:0000000000000999999:ghost" >/dev/null
check "a member that is no player (in the set and the hash) is removed within 10 s" until_matches 10
redis ZADD pt:leaderboard 0 garbage >/dev/null
check "a member that does not decode is removed within 10 s" until_matches 10
check "the worker logged what it found" grep -q 'leaderboard damaged: marker set, 13 members in the set, 13 in the members hash, 12 players' \
	"$E2E_STATE/log/worker.log"

# ---- a responder reading a damaged board, the worker stopped ----
worker=$(e2e_pid worker)
kill -STOP "$worker"
first=${FIGHTERS[0]}
redis DEL pt:leaderboard >/dev/null
http GET "/leaderboard?around=$first&limit=3" -u "$E2E_ADMIN" -m 15
expect_status 200 "the set lost, the worker stopped: around= is served"
expect_json .total "$players" "around= counts every player"
check "the responder logged why it rebuilt" grep -q "player $first is not on the board.*rebuilding it" \
	"$E2E_STATE/log/responder.log"
check "the set lost: the responder repaired the board" board_matches
redis DEL pt:leaderboard:members >/dev/null
http GET /leaderboard -u "$E2E_ADMIN" -m 15
expect_status 200 "the hash lost, the worker stopped: a page is served"
expect_json .total "$players" "the page counts every player"
check "the responder logged the set and the hash disagreeing" \
	grep -q "leaderboard damaged: the set holds $players members, the members hash 0; rebuilding it" \
	"$E2E_STATE/log/responder.log"
check "the hash lost: the responder repaired the board" board_matches
# A dead rebuilder's lock: it expires, then the board is rebuilt.
redis SET pt:leaderboard:rebuilding dead-holder PX 3000 >/dev/null
redis DEL pt:leaderboard:built >/dev/null
http GET /leaderboard -u "$E2E_ADMIN" -m 30
expect_status 200 "a rebuild lock whose holder died: the board is rebuilt once it expires"
check "the dead holder's lock is gone" test "$(redis EXISTS pt:leaderboard:rebuilding)" = 0
kill -CONT "$worker"

# ---- the hash lost while battles go on: one entry per player ----
redis DEL pt:leaderboard:members >/dev/null
submit_battles 2 100 "$E2E_TMP/responses"
check "the battles are applied" wait_for_drain 30
check "the hash lost during battles: the board matches within 10 s (one entry per player)" until_matches 10

# ---- admin check ----
check "admin check: the store and Redis agree (exit 0)" admin check
victim=${FIGHTERS[1]}
victim_score=$(sql "SELECT score FROM players WHERE id = $victim")
sql "UPDATE players SET score = score + 7 WHERE id = $victim"
kill -STOP "$worker"
submit_battles 1 1 "$E2E_TMP/responses"
lost=$(grep '^202 ' "$E2E_TMP/responses" | tail -n 1 | cut -d' ' -f2)
# (the stopped worker's pending BLMOVE may already have moved it)
redis LREM pt:battles:queue 0 "$lost" >/dev/null
redis LREM pt:battles:processing 0 "$lost" >/dev/null
redis RPUSH pt:battles:queue 999999 >/dev/null
admin check > "$E2E_TMP/check.out" 2>&1
expect_equal "$?" 4 "admin check: differences found (exit 4)" "exit status"
e2e_log "admin check printed: $(tr '\n' '|' < "$E2E_TMP/check.out")"
check "admin check names the wrong score" grep -qF \
	"score $((victim_score + 7)); the board has score $victim_score in the members hash, score $victim_score in the set" \
	"$E2E_TMP/check.out"
check "admin check names the lost queue entry" grep -q "queue: battle $lost is queued in the store but in neither Redis list" "$E2E_TMP/check.out"
check "admin check names the id without a row" grep -q "queue: battle 999999 is in the Redis queue but has no row" "$E2E_TMP/check.out"
check "admin check counts them" grep -q '^3 difference(s)' "$E2E_TMP/check.out"
admin check --repair > "$E2E_TMP/repair.out" 2>&1
expect_equal "$?" 0 "admin check --repair: repaired (exit 0)" "exit status; output $(tr '\n' '|' < "$E2E_TMP/repair.out")"
check "after the repair: no difference" grep -q '^0 difference(s)' "$E2E_TMP/repair.out"
kill -CONT "$worker"
check "the pushed battle is applied" wait_for_drain 30
check "the board matches the store" board_matches
check "no process was restarted ($pids_before)" test "$(pids)" = "$pids_before"
check "every 'unavailable:' in the logs carries its detail" \
	test -z "$(grep -hE 'unavailable: *$|no detail recorded' "$E2E_STATE"/log/*.log)"

e2e_finish
