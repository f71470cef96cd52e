# SPDX-License-Identifier: ISC
# battles_lib.sh — load generation and the invariant checks shared by the
# battle end-to-end tests (sourced after lib.sh).

# create_fighters COUNT: COUNT players with random balances and stats; ids in FIGHTERS.
create_fighters() {
	local count=$1 i
	FIGHTERS=()
	for i in $(seq 1 "$count"); do
		FIGHTERS+=("$(create_player "fighter$i" "\"gold\":$((RANDOM * 300)),\"silver\":$((RANDOM * 10)),\"attack\":$((RANDOM % 200 + 1)),\"hit_points\":$((RANDOM % 300 + 1)),\"luck\":$((RANDOM % 60))")")
	done
}

# submit_battles CLIENTS PER_CLIENT OUT_FILE [TAG]: CLIENTS concurrent curl
# clients, each sending PER_CLIENT random battles between FIGHTERS to
# E2E_URL, 8 in flight each. Appends one line per response to OUT_FILE:
# "202 ID" or "STATUS -". TAG names its files, for several at once.
submit_battles() {
	local clients=$1 per_client=$2 out=$3 tag=${4:-} client i attacker defender config
	local responses=$E2E_TMP/responses$tag.d
	local count=${#FIGHTERS[@]} pids=()
	for client in $(seq 1 "$clients"); do
		config=$E2E_TMP/client$tag$client.curl
		: > "$config"
		for i in $(seq 1 "$per_client"); do
			attacker=${FIGHTERS[$((RANDOM % count))]}
			defender=${FIGHTERS[$((RANDOM % count))]}
			while [ "$defender" = "$attacker" ]; do defender=${FIGHTERS[$((RANDOM % count))]}; done
			# "next" separates transfers; a trailing one makes curl abort the rest.
			[ "$i" -eq 1 ] || echo next >> "$config"
			printf 'url = "%s/battles"\nrequest = "POST"\nheader = "Content-Type: application/json"\nuser = "%s"\ndata = "{\\"attacker_id\\":%s,\\"defender_id\\":%s}"\noutput = "%s"\n' \
				"$E2E_URL" "$E2E_ADMIN" "$attacker" "$defender" "$responses/$client-$i" >> "$config"
		done
	done
	mkdir -p "$responses"
	for client in $(seq 1 "$clients"); do
		curl -s --parallel --parallel-max 8 -K "$E2E_TMP/client$tag$client.curl" 2>"$E2E_TMP/client$tag$client.err" &
		pids+=($!)
	done
	# Only the clients: a bare wait would also wait for the stack.
	wait "${pids[@]}"
	# One file per response: a queued battle (202) or an error body.
	{
		sed -n -s 's/^{"id":\([0-9]*\),"status":"queued".*/202 \1/p; s/^{"error":{"status":\([0-9]*\).*/\1 -/p' \
			"$responses"/*
		echo
	} | grep . >> "$out"
	rm -rf "$responses"
}

# wait_for_drain SECONDS: until the queue is empty and no battle is queued.
wait_for_drain() {
	local deadline=$(( $(date +%s) + $1 )) pending queued
	while [ "$(date +%s)" -lt "$deadline" ]; do
		pending=$(e2e_redis EVAL \
			"return redis.call('LLEN', KEYS[1]) + redis.call('LLEN', KEYS[2])" 2 pt:battles:queue pt:battles:processing 2>/dev/null)
		queued=$(sql "SELECT count(*) FROM battles WHERE status = 'queued'" 2>/dev/null)
		[ "$pending" = 0 ] && [ "$queued" = 0 ] && return 0
		sleep 0.2
	done
	return 1
}

# check_battle_invariants ACCEPTED_IDS_FILE TOTAL_GOLD TOTAL_SILVER [UNANSWERED [WORKER_KILLED]]
# UNANSWERED: how many submissions got no answer from the responder (502:
# killed mid-request). Such a battle may have committed before the kill, so
# it may be done too; with 0 (the default) done must equal accepted exactly.
# Unless WORKER_KILLED is "yes", the worker's log must hold exactly one line
# per battle (a kill -9 between a commit and its log line loses the line,
# never the battle).
check_battle_invariants() {
	local accepted=$1 gold=$2 silver=$3 unanswered=${4:-0} worker_killed=${5:-no} accepted_count done_count
	accepted_count=$(wc -l < "$accepted")
	done_count=$(sql "SELECT count(*) FROM battles WHERE status = 'done'")
	sql "SELECT id FROM battles WHERE status = 'done'" | sort > "$E2E_TMP/done_ids"
	sort "$accepted" > "$E2E_TMP/accepted_sorted"	# comm wants lexical order
	check "every accepted battle is done ($accepted_count accepted)" \
		test -z "$(comm -23 "$E2E_TMP/accepted_sorted" "$E2E_TMP/done_ids")"
	check "done battles beyond the accepted ones ($((done_count - accepted_count))) had no answer (at most $unanswered)" \
		test "$((done_count - accepted_count))" -le "$unanswered"
	# Every worker's log (E2E_WORKER_LOGS when there are several).
	local logs=("${E2E_WORKER_LOGS[@]:-$E2E_STATE/log/worker.log}")
	check "no battle logged twice" test \
		"$(grep -ho 'battle [0-9]* done' "${logs[@]}" | sort | uniq -d | wc -l)" = 0
	if [ "$worker_killed" != yes ]; then
		check "one log line per battle" test \
			"$(grep -ho 'battle [0-9]* done' "${logs[@]}" | sort -u | wc -l)" = "$done_count"
	fi
	check "total gold unchanged" test "$(sql 'SELECT sum(gold) FROM players')" = "$gold"
	check "total silver unchanged" test "$(sql 'SELECT sum(silver) FROM players')" = "$silver"
	# Each battle starts from the balances the previous battle of that player left.
	local broken
	broken=$(sql "
		WITH sides AS (
			SELECT id, attacker_id AS player, attacker_gold_before AS gold_before,
			       attacker_silver_before AS silver_before, attacker_gold_after AS gold_after,
			       attacker_silver_after AS silver_after FROM battles
			UNION ALL
			SELECT id, defender_id, defender_gold_before, defender_silver_before,
			       defender_gold_after, defender_silver_after FROM battles),
		chained AS (
			SELECT player, gold_before, silver_before,
			       lag(gold_after) OVER (PARTITION BY player ORDER BY id) AS previous_gold,
			       lag(silver_after) OVER (PARTITION BY player ORDER BY id) AS previous_silver,
			       row_number() OVER (PARTITION BY player ORDER BY id DESC) AS from_last,
			       gold_after, silver_after
			FROM sides)
		SELECT count(*) FROM chained
		WHERE (previous_gold IS NOT NULL AND (gold_before <> previous_gold OR silver_before <> previous_silver))
		   OR (from_last = 1 AND (gold_after <> (SELECT gold FROM players WHERE id = player)
		                      OR silver_after <> (SELECT silver FROM players WHERE id = player)))")
	check "every player's chain of battles is consistent" test "$broken" = 0
	check "every score is the sum of the battles it won" test "$(sql "
		SELECT count(*) FROM players p
		WHERE score <> (SELECT coalesce(sum(score_awarded), 0) FROM battles WHERE winner_id = p.id)")" = 0
	check "no battle took more than the percentage" test "$(sql "
		SELECT count(*) FROM battles WHERE gold_stolen > (CASE winner_id WHEN attacker_id THEN defender_gold_before ELSE attacker_gold_before END) * percent_stolen / 100
		   OR silver_stolen > (CASE winner_id WHEN attacker_id THEN defender_silver_before ELSE attacker_silver_before END) * percent_stolen / 100")" = 0
	# The sorted set equals the store: same members, same scores.
	sql "SELECT id || ' ' || score FROM players ORDER BY id" > "$E2E_TMP/store_scores"
	# (bash arithmetic: awk's doubles cannot hold 19 digits)
	e2e_redis ZRANGE pt:leaderboard 0 -1 |
		while IFS=: read -r inverted id _; do
			echo "$((10#$id)) $((9223372036854775807 - 10#$inverted))"
		done | sort -n > "$E2E_TMP/redis_scores"
	check "the leaderboard sorted set equals the store" cmp -s "$E2E_TMP/store_scores" "$E2E_TMP/redis_scores"
}
