#!/bin/bash
# SPDX-License-Identifier: ISC
# test_backup.sh — platform-test-admin backup and restore on the real stack:
#  - a backup taken while battles are submitted and applied is a checked,
#    self-contained SQLite file holding every battle that was done before
#    it began, and the game's invariants hold in it (gold and silver
#    conserved, each score the sum of the awards won);
#  - bad input changes nothing: an existing FILE is not overwritten, a file
#    that is not a database is not restored;
#  - restore refuses while the worker runs, and while another process has
#    the database open;
#  - restored into a fresh state directory (its own Redis), the stack
#    starts on it, applies the battles that were still queued, and every
#    invariant holds; every battle done at backup time is there, and the
#    leaderboard served is SQLite's.
. "$(dirname "$0")/lib.sh"

PLAYERS=8 BATTLES=500
e2e_start_stack 2 || exit 1
admin() {	# admin STATE_DIR ARGS...: platform-test-admin against that stack
	local state=$1
	shift
	PT_DB_PATH=$state/platform-test.db PT_REDIS_SOCKET=$state/run/redis.sock PT_SQL_DIR=$PT_SRCDIR/sql \
		PT_METRICS_PATH="" "$PT_BUILDDIR/platform-test-admin" "$@"
}
q() {	# q DATABASE SQL
	sqlite3 -batch -noheader "$1" "$2"
}
# Gold and silver are conserved (every player starts with 1000 of each),
# and a score is the sum of what its player won. Prints what does not hold.
invariants() {
	local db=$1
	q "$db" "SELECT 'gold ' || sum(gold) FROM players HAVING sum(gold) <> $PLAYERS * 1000;
		 SELECT 'silver ' || sum(silver) FROM players HAVING sum(silver) <> $PLAYERS * 1000;
		 SELECT 'score of ' || p.id || ': ' || p.score || ' vs ' || coalesce(sum(b.score_awarded), 0)
		 FROM players p LEFT JOIN battles b ON b.winner_id = p.id AND b.status = 'done'
		 GROUP BY p.id HAVING p.score <> coalesce(sum(b.score_awarded), 0);"
}

ids=()
for i in $(seq "$PLAYERS"); do
	ids+=("$(create_player "backup-$i" '"gold":1000,"silver":1000')") || exit 1
done
for i in $(seq "$BATTLES"); do
	a=$((RANDOM % PLAYERS)) d=$(((a + 1 + RANDOM % (PLAYERS - 1)) % PLAYERS))
	printf '{"attacker_id":%s,"defender_id":%s}\n' "${ids[$a]}" "${ids[$d]}"
done > "$E2E_TMP/bodies"
xargs -P 3 -d '\n' -I{} curl -s -o /dev/null -u "$E2E_ADMIN" -H 'Content-Type: application/json' -d {} \
	"$E2E_URL/battles" < "$E2E_TMP/bodies" &
load=$!

db=$E2E_STATE/platform-test.db
backup=$E2E_TMP/backup.db
for _ in $(seq 1 100); do
	[ "$(q "$db" "SELECT count(*) FROM battles WHERE status = 'done'")" -ge 100 ] && break
	sleep 0.1
done
# The worker paused for a moment, so that the backup also holds queued
# battles for the restored stack to apply.
kill -STOP "$(e2e_pid worker)"
sleep 0.5
q "$db" "SELECT id FROM battles WHERE status = 'done' ORDER BY id" > "$E2E_TMP/done-before"
output=$(admin "$E2E_STATE" backup "$backup" 2>&1)
kill -CONT "$(e2e_pid worker)"
check "backup under load succeeds and reports its check ($output)" grep -q "integrity ok" <<< "$output"
load_running=no
kill -0 "$load" 2>/dev/null && load_running=yes
expect_equal "$load_running" yes "the load was still running after the backup" "load"
expect_equal "$(q "$backup" "PRAGMA journal_mode")" delete "the backup is one self-contained file" "journal mode"
expect_equal "$(q "$backup" "PRAGMA integrity_check")" ok "the backup passes integrity_check" "integrity"
missing=$(q "$backup" "SELECT id FROM battles WHERE status = 'done' ORDER BY id" | comm -23 "$E2E_TMP/done-before" -)
expect_equal "$missing" "" "every battle done before the backup is done in it ($(wc -l < "$E2E_TMP/done-before"))" "missing"
expect_equal "$(invariants "$backup")" "" "the invariants hold in the backup" "invariants"
ls "$E2E_TMP" | grep -q 'partial' && fail "no partial file is left" "$(ls "$E2E_TMP")" || pass "no partial file is left"

# ---- bad input changes nothing ----
sum_before=$(md5sum < "$backup")
admin "$E2E_STATE" backup "$backup" > /dev/null 2> "$E2E_TMP/err"
expect_equal "$?" 2 "a backup onto an existing file is refused" "exit status"
expect_equal "$(md5sum < "$backup")" "$sum_before" "... and leaves that file as it was" "md5"
wait "$load"
for _ in $(seq 1 150); do
	[ "$(q "$db" "SELECT count(*) FROM battles WHERE status = 'queued'")" = 0 ] && break
	sleep 0.1
done
battles_live=$(q "$db" "SELECT count(*) || ' ' || sum(status = 'done') FROM battles")
head -c 8192 /dev/urandom > "$E2E_TMP/not-a-database"
admin "$E2E_STATE" restore "$E2E_TMP/not-a-database" > /dev/null 2> "$E2E_TMP/err"
expect_equal "$?" 2 "restoring a file that is not a database is refused" "exit status: $(cat "$E2E_TMP/err")"
admin "$E2E_STATE" restore "$db" > /dev/null 2> "$E2E_TMP/err"
expect_equal "$?" 2 "restoring the database onto itself is refused" "exit status: $(cat "$E2E_TMP/err")"
admin "$E2E_STATE" restore "$backup" > /dev/null 2> "$E2E_TMP/err"
expect_equal "$?" 3 "restore while the stack runs is refused" "exit status: $(cat "$E2E_TMP/err")"
check "... naming the running worker" grep -q "worker is running" "$E2E_TMP/err"
expect_equal "$(q "$db" "SELECT count(*) || ' ' || sum(status = 'done') FROM battles")" "$battles_live" \
	"... and the live database is unchanged" "battles"

# ---- restore into a fresh state directory ----
e2e_stop_stack
mv "$E2E_STATE" "$E2E_TMP/state-first"
fresh=$E2E_TMP/state
mkdir -p "$fresh/run" "$fresh/redis" "$fresh/log"
redis-server --port 0 --unixsocket "$fresh/run/redis.sock" --unixsocketperm 700 --dir "$fresh/redis" \
	--appendonly yes --appendfsync always --save "" --daemonize no --logfile "$fresh/log/redis.log" &
redis_pid=$!
for _ in $(seq 1 100); do redis-cli -s "$fresh/run/redis.sock" ping >/dev/null 2>&1 && break; sleep 0.05; done
admin "$fresh" migrate > /dev/null || fail "migrate the fresh database"
# Another process holding the database open (as a responder would).
mkfifo "$E2E_TMP/holder"
sqlite3 "$fresh/platform-test.db" < "$E2E_TMP/holder" > /dev/null &
holder=$!
exec 7> "$E2E_TMP/holder"
echo "SELECT count(*) FROM players;" >&7
sleep 0.3
admin "$fresh" restore "$backup" > /dev/null 2> "$E2E_TMP/err"
expect_equal "$?" 3 "restore while another process has the database open is refused" "exit: $(cat "$E2E_TMP/err")"
exec 7>&-
wait "$holder"
expect_equal "$(q "$fresh/platform-test.db" "SELECT count(*) FROM players")" 0 "... and nothing was restored" "players"
output=$(admin "$fresh" restore "$backup" 2>&1)
check "restore into the fresh state directory succeeds ($output)" grep -q "leaderboard rebuilt" <<< "$output"
queued_in_backup=$(q "$backup" "SELECT count(*) FROM battles WHERE status = 'queued'")
check "the backup holds queued battles ($queued_in_backup)" test "$queued_in_backup" -gt 0
expect_equal "$(redis-cli -s "$fresh/run/redis.sock" llen pt:battles:queue)" "$queued_in_backup" \
	"the backup's queued battles are on the queue again" "LLEN"
kill -TERM "$redis_pid" && wait "$redis_pid"

e2e_start_stack 2 || exit 1
restored=$E2E_STATE/platform-test.db
for _ in $(seq 1 150); do
	[ "$(q "$restored" "SELECT count(*) FROM battles WHERE status = 'queued'")" = 0 ] && break
	sleep 0.1
done
expect_equal "$(q "$restored" "SELECT count(*) FROM battles WHERE status = 'queued'")" 0 \
	"the restored stack applied the battles still queued in the backup ($queued_in_backup)" "queued"
expect_equal "$(q "$restored" "SELECT count(*) FROM battles")" "$(q "$backup" "SELECT count(*) FROM battles")" \
	"the restored database has the backup's battles, no more, no fewer" "battles"
missing=$(q "$restored" "SELECT id FROM battles WHERE status = 'done' ORDER BY id" | comm -23 "$E2E_TMP/done-before" -)
expect_equal "$missing" "" "every battle done at backup time is in the restored database" "missing"
expect_equal "$(invariants "$restored")" "" "the invariants hold after the restore" "invariants"
http GET "/leaderboard?limit=100" -u "$E2E_ADMIN"
board=$(jq_body '[.entries[] | "\(.player_id // .id) \(.score)"] | sort | join(",")')
sqlite_scores=$(q "$restored" "SELECT id || ' ' || score FROM players" | sort | paste -sd, -)
expect_equal "$board" "$sqlite_scores" "the leaderboard served is the restored scores" "leaderboard"

e2e_finish
