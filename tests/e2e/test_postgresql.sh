#!/bin/bash
# SPDX-License-Identifier: ISC
# test_postgresql.sh — what only PostgreSQL needs proven, on one node:
#  - several `platform-test-admin migrate` at once on a new database: every
#    one succeeds and each migration is applied once (the migrate lock);
#  - ids reach the queue in id order although submissions overlap: a slow
#    submitter holding an id makes the next one wait for its push (the
#    order lock), and a responder built without that lock lets the next id
#    overtake it;
#  - the worker never reads past an id that is not committed yet: with a
#    submission that took id N and has not committed, the battle N+1 that
#    shares its players is applied after N (the submission barrier), and a
#    worker built without the barrier applies N+1 first;
#  - a PostgreSQL restart (pg_ctl stop -m immediate, then start) and cut
#    connections (pg_terminate_backend): 503 while it is down, then every
#    request served again without restarting a process; the worker takes its
#    role again and applies what was queued.
# The variants without a lock are check programs (Makefile.am), never installed.
export E2E_BACKEND=postgresql
# Room for the scenarios' deliberate waits (1.5 s) behind a lock.
export PT_PG_STATEMENT_TIMEOUT_MS=5000
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/battles_lib.sh"

VARIANTS=$PT_BUILDDIR/tests/e2e/bin
for program in platform-test-worker-no-barrier platform-test-responder-no-order-lock; do
	[ -x "$VARIANTS/$program" ] || { echo "$VARIANTS/$program is missing: make check builds it" >&2; exit 1; }
done



redis() {
	redis-cli -s "$E2E_STATE/run/redis.sock" "$@"
}

# ============ several migrations at once ======================================
# What sql/postgresql/ holds: "applied N migration(s)" and versions 1,2,...
migration_count=$(ls "$PT_SRCDIR"/sql/postgresql/[0-9]*.sql | wc -l)
migration_versions=$(seq -s , 1 "$migration_count")
e2e_start_postgresql || exit 1
for round in 1 2 3; do
	database=migrate_race_$round
	psql -X -q "$E2E_PG_URL" -c "CREATE DATABASE $database OWNER platform_test" >/dev/null
	url="postgresql://platform_test@/$database?host=$E2E_PG_SOCKET&port=$E2E_PG_PORT"
	pids=()
	for runner in 1 2 3 4 5 6; do
		PT_DATABASE_URL=$url PT_SQL_DIR=$PT_SRCDIR/sql "$PT_BUILDDIR/platform-test-admin" migrate \
			> "$E2E_TMP/migrate.$runner" 2>&1 &
		pids+=($!)
	done
	failed=0
	for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
	check "round $round: six migrates at once all succeed ($failed failed)" test "$failed" = 0
	check "round $round: one of them applied the migrations" \
		test "$(cat "$E2E_TMP"/migrate.* | grep -c "^applied $migration_count migration")" = 1
	versions=$(psql -X -A -t "$url" -c "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations")
	check "round $round: each migration recorded once ($versions)" test "$versions" = "$migration_versions"
done

# ============ the stack ==========================================================
e2e_start_stack 2 || exit 1
alice=$(create_player alice '"gold":100000,"silver":5000') || exit 1
bob=$(create_player bob '"gold":70000,"silver":300') || exit 1

# A submitter that stops half-way, in psql: what pg_battles.c and
# pg_store.c do for POST /battles, statement by statement.
coproc SLOW { psql -X -q -A -t -v ON_ERROR_STOP=1 "$E2E_DATABASE_URL" 2>&1; }
slow() {
	echo "$1" >&"${SLOW[1]}"
}
# slow_read: the next line psql printed.
slow_read() {
	local line
	read -r -t 20 line <&"${SLOW[0]}" && echo "$line"
}
# slow_take_id [hold-order-lock]: begins a submission and takes an id for
# alice vs bob; prints it. With hold-order-lock the order lock is kept.
slow_take_id() {
	slow "BEGIN; SELECT pg_advisory_xact_lock_shared(20260, 1); SELECT pg_advisory_lock(20260, 2);"
	slow_read >/dev/null
	slow_read >/dev/null
	slow "WITH battle AS (INSERT INTO battles (attacker_id, defender_id, status, submitted_at)
	      VALUES ($alice, $bob, 'queued', '2026-01-01T00:00:00Z') RETURNING id),
	      sides AS (INSERT INTO battle_participants (player_id, battle_id)
	                SELECT $alice::bigint, id FROM battle UNION ALL SELECT $bob::bigint, id FROM battle)
	      SELECT id FROM battle;"
	slow_read
}
slow_push_and_release_order() {
	redis RPUSH pt:battles:queue "$1" >/dev/null
	slow "SELECT pg_advisory_unlock(20260, 2);"
	slow_read >/dev/null
}
slow_commit() {
	slow "COMMIT; SELECT 'committed';"
	[ "$(slow_read)" = committed ]
}

# The battles after the slow one, as the queue received them: the
# processing list (taken by the worker, in order) then the queue.
received_order() {
	{ redis LRANGE pt:battles:processing 0 -1; redis LRANGE pt:battles:queue 0 -1; } | grep . | paste -sd' '
}

# submit_in_background FILE: POST alice vs bob; the id goes to FILE.
submit_in_background() {
	( json POST /battles "{\"attacker_id\":$bob,\"defender_id\":$alice}" -u "$E2E_ADMIN" -m 20
	  printf '%s %s\n' "$STATUS" "$(jq_body .id)" > "$1" ) &
}

# ============ ids reach the queue in id order ======================================
# order_scenario LABEL: a slow submitter takes id N and holds the order lock
# for a second before it pushes N; meanwhile a POST takes the next id. The
# worker is stopped, so the two lists show the order the queue received.
order_scenario() {
	local label=$1 slow_id fast_id status
	kill -STOP "$(e2e_pid worker)"
	redis DEL pt:battles:queue pt:battles:processing >/dev/null
	slow_id=$(slow_take_id)
	submit_in_background "$E2E_TMP/fast"
	sleep 1
	slow_push_and_release_order "$slow_id"
	slow_commit || fail "$label: the slow submitter commits"
	wait $!
	read -r status fast_id < "$E2E_TMP/fast"
	ORDER_RESULT="$(received_order)"
	expect_equal "$status" 202 "$label: the other submission is accepted" "status"
	check "$label: the other submission took the next id ($slow_id, $fast_id)" test "$fast_id" -gt "$slow_id"
	ORDER_EXPECTED="$slow_id $fast_id"
	kill -CONT "$(e2e_pid worker)"
	check "$label: both are applied" until_true 20 queue_drained
}
queue_drained() {
	[ "$(redis EVAL "return redis.call('LLEN', KEYS[1]) + redis.call('LLEN', KEYS[2])" 2 \
		pt:battles:queue pt:battles:processing)" = 0 ] &&
	[ "$(sql "SELECT count(*) FROM battles WHERE status = 'queued'")" = 0 ]
}

order_scenario "order lock"
expect_equal "$ORDER_RESULT" "$ORDER_EXPECTED" "the queue received the ids in id order" "queue order"

e2e_stop_stack
PT_RESPONDER_BIN=$VARIANTS/platform-test-responder-no-order-lock e2e_start_stack 2 || exit 1
order_scenario "no order lock"
check "without the order lock the later id reaches the queue first ($ORDER_RESULT): the check above can fail" \
	test "$ORDER_RESULT" != "$ORDER_EXPECTED"
e2e_stop_stack

# ============ the worker never reads past an uncommitted id ===========================
# barrier_scenario LABEL: a slow submitter takes id N, pushes it and gives up
# the order lock, but commits only 1.5 s later; the POST after it (N+1,
# the same two players) commits at once.
barrier_scenario() {
	local label=$1 slow_id fast_id status early
	slow_id=$(slow_take_id)
	slow_push_and_release_order "$slow_id"
	submit_in_background "$E2E_TMP/fast"
	sleep 1.5
	early=$(sql "SELECT count(*) FROM battles WHERE status = 'done' AND id >= $slow_id")
	slow_commit || fail "$label: the slow submitter commits"
	wait $!
	read -r status fast_id < "$E2E_TMP/fast"
	expect_equal "$status" 202 "$label: the other submission is accepted" "status"
	check "$label: both are applied" until_true 20 queue_drained
	BARRIER_EARLY=$early
	# N+1 starts from the balances N left, for both players.
	BARRIER_CHAINED=$(sql "SELECT CASE WHEN n.attacker_gold_after = m.defender_gold_before
	                                    AND n.defender_gold_after = m.attacker_gold_before
	                                    AND n.attacker_silver_after = m.defender_silver_before
	                                    AND n.defender_silver_after = m.attacker_silver_before THEN 1 ELSE 0 END
	                       FROM battles n, battles m WHERE n.id = $slow_id AND m.id = $fast_id")
}

e2e_start_stack 2 || exit 1
barrier_scenario "barrier"
check "barrier: nothing after the uncommitted id was applied before it committed" test "$BARRIER_EARLY" = 0
check "barrier: the later battle was applied after the earlier one" test "$BARRIER_CHAINED" = 1
e2e_stop_stack
PT_WORKER_BIN=$VARIANTS/platform-test-worker-no-barrier e2e_start_stack 2 || exit 1
barrier_scenario "no barrier"
check "without the barrier the later battle is applied first: the check above can fail (applied early: $BARRIER_EARLY)" \
	test "$BARRIER_CHAINED" = 0
echo '\q' >&"${SLOW[1]}"
e2e_stop_stack

# ============ PostgreSQL restarts; connections are cut =================================
e2e_start_stack 2 || exit 1
pids() {
	local name
	for name in responder-1 responder-2 worker; do printf '%s=%s ' "$name" "$(e2e_pid "$name")"; done
}
pids_before=$(pids)
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$bob}" -u "$E2E_ADMIN"
expect_status 202 "a battle before the restart"
check "it is applied" until_true 10 queue_drained
e2e_pg_ctl stop -m immediate
http GET /heartbeat -m 5
expect_status 503 "PostgreSQL down: heartbeat"
expect_json '.checks.sqlite + "/" + .checks.redis' error/ok "PostgreSQL down: the store's check fails"
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$bob}" -u "$E2E_ADMIN" -m 5
expect_error 503 unavailable "PostgreSQL down: POST /battles"
json POST /players '{"name":"during-the-outage"}' -u "$E2E_ADMIN" -m 5
expect_error 503 unavailable "PostgreSQL down: POST /players"
battles_queued=$(redis LLEN pt:battles:queue)
e2e_pg_ctl start
sleep 0.3	# past the back-off of a failed reconnect (200 ms)
served=0
for i in $(seq 1 10); do
	http GET "/players/$alice" -u "$E2E_ADMIN"
	[ "$STATUS" = 200 ] && served=$((served + 1))
done
check "after the restart every request is served at once ($served of 10)" test "$served" = 10
check "nothing was created by the 503s" test "$(sql "SELECT count(*) FROM players WHERE name = 'during-the-outage'")" = 0
check "nothing was queued by the 503 ($battles_queued in the queue)" test "$battles_queued" = 0
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$bob}" -u "$E2E_ADMIN"
expect_status 202 "a battle after the restart"
check "the worker applies it (it took its role again)" until_true 10 queue_drained

psql -X -q -A -t "$E2E_PG_URL" -c \
	"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'platform_test'" >/dev/null
served=0
for i in $(seq 1 10); do
	http GET "/players/$bob" -u "$E2E_ADMIN"
	[ "$STATUS" = 200 ] && served=$((served + 1))
done
check "after every connection was cut, every request is served ($served of 10)" test "$served" = 10
json POST /battles "{\"attacker_id\":$bob,\"defender_id\":$alice}" -u "$E2E_ADMIN"
expect_status 202 "a battle after the cut"
check "the worker applies it" until_true 10 queue_drained
check "no process was restarted ($pids_before)" test "$(pids)" = "$pids_before"

e2e_finish
