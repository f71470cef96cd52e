#!/bin/bash
# SPDX-License-Identifier: ISC
# test_wal.sh — the SQLite WAL stays bounded (docs/operations.md, "How large
# the WAL grows"): sustained battle submissions from concurrent clients
# while the worker is stopped (only the responders write and checkpoint),
# then while it drains the backlog; the WAL file, sampled every 0.1 s, never
# exceeds the documented bound; once the service is idle the worker
# truncates it to (near) zero. SQLite only: PostgreSQL's WAL is the
# server's (max_wal_size, its checkpointer), nothing of the program's; with
# E2E_BACKEND=postgresql the suite is skipped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/battles_lib.sh"

if [ "$E2E_BACKEND" != sqlite ]; then
	skip "the SQLite WAL stays bounded" "SQLite only: PostgreSQL's WAL is the server's to bound"
	e2e_finish
fi

# The documented bound: the responders' fallback threshold (16 MB) plus
# what accrues while a checkpoint waits for readers; see docs/operations.md.
BOUND_BYTES=$((32 * 1024 * 1024))
IDLE_BYTES=$((64 * 1024))

e2e_start_stack 2 || exit 1
db=$E2E_STATE/platform-test.db
create_fighters 20
gold=$(sql 'SELECT sum(gold) FROM players')
silver=$(sql 'SELECT sum(silver) FROM players')

wal_size() {
	stat -c %s "$db-wal" 2>/dev/null || echo 0
}

# sample_wal FILE: the WAL's size every 0.1 s until FILE.stop exists; the
# largest size into FILE.
sample_wal() {
	local largest=0 size
	while [ ! -e "$1.stop" ]; do
		size=$(wal_size)
		[ "$size" -gt "$largest" ] && largest=$size
		sleep 0.1
	done
	echo "$largest" > "$1"
}

mb() {
	awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1048576 }'
}

# ---- the worker stopped: only responders write, and checkpoint ----
check "the stack is idle first" wait_for_drain 20
worker=$(e2e_pid worker)
kill -STOP "$worker"
sample_wal "$E2E_TMP/stopped" &
sampler=$!
started=$(date +%s%N)
submit_battles 4 2000 "$E2E_TMP/responses"
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
touch "$E2E_TMP/stopped.stop"
wait "$sampler"
accepted=$(grep -c '^202 ' "$E2E_TMP/responses")
stopped_largest=$(cat "$E2E_TMP/stopped")
e2e_log "worker stopped: $accepted battles queued in $elapsed_ms ms; largest WAL $(mb "$stopped_largest")"
check "worker stopped: every submission was accepted ($accepted of 8000)" test "$accepted" = 8000
check "worker stopped: the WAL stayed under $(mb $BOUND_BYTES) (largest $(mb "$stopped_largest"))" \
	test "$stopped_largest" -le "$BOUND_BYTES"

# ---- the worker drains the backlog while clients keep submitting ----
grep '^202 ' "$E2E_TMP/responses" | cut -d' ' -f2 > "$E2E_TMP/accepted"
sample_wal "$E2E_TMP/draining" &
sampler=$!
kill -CONT "$worker"
submit_battles 4 500 "$E2E_TMP/responses2"
check "the backlog drains" wait_for_drain 120
touch "$E2E_TMP/draining.stop"
wait "$sampler"
grep '^202 ' "$E2E_TMP/responses2" | cut -d' ' -f2 >> "$E2E_TMP/accepted"
draining_largest=$(cat "$E2E_TMP/draining")
e2e_log "worker draining: largest WAL $(mb "$draining_largest")"
check "worker draining: the WAL stayed under $(mb $BOUND_BYTES) (largest $(mb "$draining_largest"))" \
	test "$draining_largest" -le "$BOUND_BYTES"

# ---- idle: the worker truncates the WAL ----
until_wal_small() {
	local tries
	for tries in $(seq 1 100); do
		[ "$(wal_size)" -le "$IDLE_BYTES" ] && return 0
		sleep 0.1
	done
	return 1
}
check "idle: the WAL is truncated to at most 64 KiB within 10 s" until_wal_small
e2e_log "idle: WAL $(wal_size) bytes"
check_battle_invariants "$E2E_TMP/accepted" "$gold" "$silver"
check "integrity_check ok" test "$(sql 'PRAGMA integrity_check')" = ok

e2e_finish
