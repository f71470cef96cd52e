#!/bin/bash
# SPDX-License-Identifier: ISC
# test_battles_crash.sh — nothing lost, nothing doubled: 5,000 battles from
# concurrent clients while the worker is killed with SIGKILL at random moments
# (at least 20 times), a responder is killed, and Redis is killed and
# restarted (appendonly on); then the same invariants as test_battles.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/battles_lib.sh"

# Small batches, so kills land inside batches, between commit and acknowledgement.
export PT_WORKER_BATCH=8
e2e_start_stack 2 || exit 1

create_fighters 50
gold=$(sql 'SELECT sum(gold) FROM players')
silver=$(sql 'SELECT sum(silver) FROM players')

# kill_worker_repeatedly COUNT: SIGKILLs the current worker COUNT times at random moments.
kill_worker_repeatedly() {
	local kills=0 pid
	while [ "$kills" -lt "$1" ]; do
		sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
		pid=$(e2e_pid worker)
		if [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; then
			kills=$((kills + 1))
		fi
	done
	echo "$kills" > "$E2E_TMP/kills"
}

kill_worker_repeatedly 25 &
killer=$!
(
	sleep 1
	kill -KILL "$(e2e_pid responder-1)"
	sleep 1
	kill -KILL "$(e2e_pid redis)"
) &
chaos=$!
submit_battles 5 1000 "$E2E_TMP/responses"
wait "$chaos"
wait "$killer"
check "the worker was killed at least 20 times" test "$(cat "$E2E_TMP/kills")" -ge 20
check "Redis was restarted" test -n "$(e2e_pid redis)"

accepted=$(grep -c '^202 ' "$E2E_TMP/responses")
e2e_log "$accepted of 5000 submissions were accepted; the others saw Redis or a responder down"
check "most submissions were accepted" test "$accepted" -gt 2500
check "every submission got an answer (202, 502 or 503)" test \
	"$(grep -cE '^(202|502|503) ' "$E2E_TMP/responses")" = "$(wc -l < "$E2E_TMP/responses")"
grep '^202 ' "$E2E_TMP/responses" | cut -d' ' -f2 > "$E2E_TMP/accepted"

wait_for_drain 180
check "the backlog drains after the crashes" test $? = 0
check_battle_invariants "$E2E_TMP/accepted" "$gold" "$silver" "$(grep -c '^502 ' "$E2E_TMP/responses")" yes
check "no queued row is left behind" test "$(sql "SELECT count(*) FROM battles WHERE status = 'queued'")" = 0

e2e_finish
