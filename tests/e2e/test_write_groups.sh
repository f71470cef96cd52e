#!/bin/bash
# SPDX-License-Identifier: ISC
# test_write_groups.sh — the write path that shares its work
# (src/http/write_group.h): creates and submissions a responder has in hand
# at once are written in one transaction and answered after its commit.
# Groups are made certain here: the one responder is stopped while the
# requests arrive, then resumed, and finds them all ready in one turn (the
# write-group histogram shows it). Then, inside such groups: a create the
# store refuses (a name taken) fails alone while the others are created; the
# same Idempotency-Key twice is one battle; a key reused with another body
# is a 409; a missing player is a 422; a Redis that does not answer fails
# the whole group with 503 and leaves nothing. Last, the backpressure: past
# PT_BATTLE_QUEUE_MAX pending battles, POST /battles answers 503 with
# Retry-After and queues nothing, until the worker has drained.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/battles_lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

export PT_BATTLE_QUEUE_MAX=40
e2e_start_stack 1 || exit 1
M=$E2E_TMP/metrics
mkdir -p "$M"

count() {
	sql "SELECT count(*) FROM $1"
}

# pending_requests: requests waiting for the responder, unread: connections
# in its accept queue, and kept connections with bytes it has not read.
pending_requests() {
	e2e_responder_sockets | awk '$1 == "LISTEN" { n += $2 } $1 == "ESTAB" && $2 > 0 { n++ } END { print n + 0 }'
}

# in_one_turn N COMMAND...: runs COMMAND N times in parallel (with the index
# as its last argument) while the responder is stopped, waits until all N
# requests are at its door, resumes it, and waits for the answers.
in_one_turn() {
	local n=$1 i responder pids=()
	shift
	responder=$(e2e_pid responder-1)
	kill -STOP "$responder"
	for i in $(seq 1 "$n"); do
		"$@" "$i" &
		pids+=($!)
	done
	until_true 10 test "$(pending_requests)" -ge "$n" || echo "only $(pending_requests) of $n requests arrived" >&2
	kill -CONT "$responder"
	wait "${pids[@]}"
}

# answer FILE METHOD PATH BODY [curl options]: one request, "STATUS BODY" into FILE.
answer() {
	local file=$1
	shift
	json "$@" -m 20
	printf '%s %s\n' "$STATUS" "$BODY" > "$file"
}

# ---- creates in one group; one name taken ----
metrics_scrape "$M/before" || exit 1
players_before=$(count players)
create_member() {
	local name="grouped-$1"
	[ "$1" = 2 ] && name="grouped-1"	# the same name as member 1: one of the two is refused
	answer "$E2E_TMP/create-$1" POST /players "{\"name\":\"$name\"}" -u "$E2E_ADMIN"
}
in_one_turn 10 create_member
statuses=$(cat "$E2E_TMP"/create-* | cut -d' ' -f1 | sort | uniq -c | awk '{ printf "%s×%s ", $2, $1 }')
expect_equal "$statuses" "201×9 409×1 " "ten creates in one turn: nine created, the taken name refused alone" "statuses"
check "the created players are stored, each once" test "$(count players)" = "$((players_before + 9))"
check "the taken name is stored once" test "$(sql "SELECT count(*) FROM players WHERE name = 'grouped-1'")" = 1
check "every stored player is on the leaderboard" test "$(e2e_redis ZCARD pt:leaderboard)" = "$(count players)"
metrics_scrape "$M/after-creates" || exit 1
groups_of_one=$(metric_delta "$M/before" "$M/after-creates" 'platform_test_write_group_size_bucket{le="1"}')
groups=$(metric_delta "$M/before" "$M/after-creates" platform_test_write_group_size_count)
check "the creates were written in groups ($groups groups, $groups_of_one of one member)" \
	test "$groups" -gt "$groups_of_one"

alice=$(create_player alice '"gold":1000,"silver":100')
bob=$(create_player bob '"gold":500')
carol=$(create_player carol '"gold":700')

# ---- submissions in one group ----
battles_before=$(count battles)
submit_member() {
	local body="{\"attacker_id\":$alice,\"defender_id\":$bob}" key=()
	case $1 in
	1 | 2) key=(-H 'Idempotency-Key: same-body') ;;	# one battle for both
	3) key=(-H 'Idempotency-Key: two-bodies') ;;
	4) key=(-H 'Idempotency-Key: two-bodies'); body="{\"attacker_id\":$alice,\"defender_id\":$carol}" ;;
	5) body="{\"attacker_id\":$alice,\"defender_id\":999999}" ;;	# no such defender
	esac
	answer "$E2E_TMP/submit-$1" POST /battles "$body" -u "$E2E_ADMIN" "${key[@]}"
}
in_one_turn 12 submit_member
metrics_scrape "$M/after-submissions" || exit 1
groups_of_one=$(metric_delta "$M/after-creates" "$M/after-submissions" 'platform_test_write_group_size_bucket{le="1"}')
groups=$(metric_delta "$M/after-creates" "$M/after-submissions" platform_test_write_group_size_count)
check "the submissions were written in groups ($groups groups, $groups_of_one of one member)" \
	test "$groups" -gt "$groups_of_one"
same1=$(sed -n 's/^202 {"id":\([0-9]*\),.*/\1/p' "$E2E_TMP/submit-1")
same2=$(sed -n 's/^202 {"id":\([0-9]*\),.*/\1/p' "$E2E_TMP/submit-2")
check "the same key and body twice in one turn: both 202 with one battle ($same1, $same2)" \
	test -n "$same1" -a "$same1" = "$same2"
expect_equal "$(cat "$E2E_TMP/submit-3" "$E2E_TMP/submit-4" | cut -d' ' -f1 | sort | paste -sd,)" "202,409" \
	"one key with two bodies in one turn: one queued, the other 409" "statuses"
expect_equal "$(cut -d' ' -f2- "$E2E_TMP/submit-5" | jq -r '.error.fields | keys | join(",")')" defender_id \
	"a missing defender in a group: 422 naming defender_id" "fields"
queued=$(cat "$E2E_TMP"/submit-* | grep -c '^202 ')
distinct=$(cat "$E2E_TMP"/submit-* | sed -n 's/^202 {"id":\([0-9]*\),.*/\1/p' | sort -u | wc -l)
expect_equal "$queued" 10 "ten of the twelve answered 202 (the 409 and the 422 did not)" "202 answers"
check "one stored battle per distinct id answered ($distinct)" test "$(count battles)" = "$((battles_before + distinct))"
check "the queue drains" wait_for_drain 20
check "every battle answered 202 is done, once" \
	test "$(sql "SELECT count(*) FROM battles WHERE status = 'done' AND id > $battles_before")" = "$distinct"

# ---- a group whose Redis push fails: all 503, nothing left ----
battles_before=$(count battles)
redis=$(e2e_pid redis)
failing_member() {
	answer "$E2E_TMP/failing-$1" POST /battles "{\"attacker_id\":$alice,\"defender_id\":$bob}" -u "$E2E_ADMIN"
}
# Redis stopped: the group's push times out (PT_REDIS_TIMEOUT_MS) and the
# transaction rolls back. The worker is stopped too, so that the pushes
# Redis runs once resumed are seen to be dropped (ids without rows).
worker=$(e2e_pid worker)
kill -STOP "$redis" "$worker"
in_one_turn 6 failing_member
kill -CONT "$redis" "$worker"
expect_equal "$(cat "$E2E_TMP"/failing-* | cut -d' ' -f1 | sort -u)" 503 "Redis not answering: every member of the group 503" \
	"statuses"
check "Redis not answering: no battle stored" test "$(count battles)" = "$battles_before"
check "the queue drains the pushes that landed late (their rows do not exist)" wait_for_drain 20

# ---- backpressure: at most PT_BATTLE_QUEUE_MAX battles pending ----
worker=$(e2e_pid worker)
kill -STOP "$worker"
battles_before=$(count battles)
submit_battle() {
	json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$bob}" -u "$E2E_ADMIN"
}
admitted=0
for i in $(seq 1 "$PT_BATTLE_QUEUE_MAX"); do
	submit_battle
	[ "$STATUS" = 202 ] && admitted=$((admitted + 1))
done
expect_equal "$admitted" "$PT_BATTLE_QUEUE_MAX" "up to PT_BATTLE_QUEUE_MAX battles are admitted with the worker stopped" \
	"202 answers"
submit_battle
expect_error 503 unavailable "past PT_BATTLE_QUEUE_MAX pending: 503"
expect_header Retry-After 1 "the full queue's 503 carries Retry-After"
expect_json .error.message "the battle queue is full: retry later" "the full queue's 503 says why"
check "the refused battle was not stored" test "$(count battles)" = "$((battles_before + PT_BATTLE_QUEUE_MAX))"
kill -CONT "$worker"
check "the worker drains the backlog" wait_for_drain 20
submit_battle
expect_status 202 "once drained, submissions are admitted again"
check "the queue drains" wait_for_drain 20

e2e_check_sanitizer_reports
e2e_finish
