#!/bin/bash
# SPDX-License-Identifier: ISC
# test_metrics.sh — GET /metrics on the real stack (3 responders, so a scrape
# that read only the responder answering it would miss about two thirds):
#  - only loopback may scrape: another address (127.0.0.2) gets the API's
#    404, for /metrics and for nginx's stub_status location;
#  - the format is Prometheus' text format 0.0.4, checked line by line;
#  - under load (parallel clients on several routes and statuses, scraped
#    while they run): every counter only rises, every histogram stays
#    cumulative; once the load is over each route and status moved by
#    exactly the requests sent, each route's histogram _count equals its
#    requests, and every scrape (whichever responder answers) says the same;
#  - the worker's figures: battles applied, lag and batch histograms move by
#    the battles submitted; a worker killed and restarted is counted; a
#    responder killed does not reset the counters;
#  - Redis stopped: the responders' Redis errors are counted; SQLite's write
#    lock held past the busy timeout: busy waits and one timeout counted; the
#    board deleted: the worker's rebuild counted;
#  - nginx's own figures are there and count the requests sent;
#  - docs/grafana-dashboard.json is valid JSON with a schemaVersion, and its
#    expressions name only metrics the scrape exposes; docs/operations.md
#    lists every exposed family with its type.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

e2e_start_stack 3 || exit 1
M=$E2E_TMP/metrics
mkdir -p "$M"

# ---- who may scrape ----
http GET /nope
unknown_body=$BODY
outsider() {
	curl -s --interface 127.0.0.2 -o "$M/outsider" -w '%{http_code}' "$E2E_URL$1"
}
expect_equal "$(outsider /metrics)" 404 "/metrics from 127.0.0.2 is 404" "status"
expect_equal "$(cat "$M/outsider")" "$unknown_body" "... with the API's own 404 body" "body"
expect_equal "$(outsider /.platform-test/nginx-status)" 404 "nginx's stub_status from 127.0.0.2 is 404" "status"
check "/metrics from 127.0.0.1 is 200 in the exposition format" metrics_scrape "$M/s0"
problems=$(metrics_check_format "$M/s0")
expect_equal "$problems" "" "the first scrape is well-formed" "format"

# ---- load on several routes, scraped while it runs ----
alice=$(create_player "metrics-alice" '"password":"alice-password","gold":1000,"silver":1000') || exit 1
bob=$(create_player "metrics-bob" '"password":"bob-password","gold":1000,"silver":1000') || exit 1
metrics_scrape "$M/start" || exit 1
HEARTBEATS=400 UNMATCHED=120 READS=90 WRONG=30 BATTLES=60
{
	for _ in $(seq "$HEARTBEATS"); do echo "$E2E_URL/heartbeat"; done
	for i in $(seq "$UNMATCHED"); do echo "$E2E_URL/no-such-route-$i"; done
} > "$M/public-urls"
load() {
	xargs -P 4 -n 25 curl -s -o /dev/null < "$M/public-urls" &
	local public=$!
	seq "$READS" | xargs -P 2 -I{} curl -s -o /dev/null -u "$E2E_ADMIN" "$E2E_URL/players/$alice" &
	local reads=$!
	seq "$WRONG" | xargs -P 2 -I{} curl -s -o /dev/null -u "metrics-bob:wrong-password" "$E2E_URL/players/$bob" &
	local wrong=$!
	seq "$BATTLES" | xargs -P 2 -I{} curl -s -o /dev/null -u "$E2E_ADMIN" -H 'Content-Type: application/json' \
		-d "{\"attacker_id\":$alice,\"defender_id\":$bob}" "$E2E_URL/battles" &
	local battles=$!
	wait "$public" "$reads" "$wrong" "$battles"
}
load &
load_pid=$!
previous=$M/start scrapes=0 falling="" malformed=""
while kill -0 "$load_pid" 2>/dev/null; do
	scrapes=$((scrapes + 1))
	metrics_scrape "$M/during-$scrapes" || { malformed="scrape $scrapes failed"; break; }
	[ -n "$(metrics_check_format "$M/during-$scrapes")" ] && malformed="$(metrics_check_format "$M/during-$scrapes" | head -3)"
	# Every counter series of the previous scrape, compared with this one.
	falling+=$(awk 'FNR == NR { if ($1 ~ /_total(\{|$)/ && $1 !~ /^nginx_/) before[$1] = $2; next }
		($1 in before) && $2 + 0 < before[$1] + 0 { print $1 " fell from " before[$1] " to " $2 }' \
		"$previous" "$M/during-$scrapes")
	previous=$M/during-$scrapes
	sleep 0.2
done
wait "$load_pid"
check "scraped while the load ran ($scrapes scrapes)" test "$scrapes" -ge 2
expect_equal "$malformed" "" "every scrape under load is well-formed" "format"
expect_equal "$falling" "" "no counter fell between scrapes under load" "counters"

metrics_scrape "$M/end" || exit 1
delta() {
	metric_delta "$M/start" "$M/end" "platform_test_http_requests_total{route=\"$1\",code=\"$2\"}"
}
expect_equal "$(delta get_heartbeat 200)" "$HEARTBEATS" "get_heartbeat 200 moved by the $HEARTBEATS sent" "delta"
expect_equal "$(delta unmatched 404)" "$UNMATCHED" "unmatched 404 moved by the $UNMATCHED sent" "delta"
expect_equal "$(delta get_player 200)" "$READS" "get_player 200 moved by the $READS sent" "delta"
expect_equal "$(delta get_player 401)" "$WRONG" "get_player 401 moved by the $WRONG wrong passwords" "delta"
expect_equal "$(delta submit_battle 202)" "$BATTLES" "submit_battle 202 moved by the $BATTLES submitted" "delta"
# Each route's histogram counts what its requests counter counts.
mismatched=$(awk '
	/^platform_test_http_requests_total\{/ { split($1, part, "\""); requests[part[2]] += $2 }
	/^platform_test_http_request_duration_seconds_count\{/ { split($1, part, "\""); counted[part[2]] = $2 }
	END { for (r in requests) if (counted[r] != requests[r]) print r ": " requests[r] " requests, _count " counted[r]
	      for (r in counted) if (!(r in requests)) print r ": a histogram without requests" }' "$M/end")
expect_equal "$mismatched" "" "every route's duration _count equals its requests" "routes"
check "the route label set holds a route that was used" grep -q 'route="get_player"' "$M/end"
# Idle now: whichever responder answers, the figures are the same.
differing=""
for i in 1 2 3 4 5 6; do
	metrics_scrape "$M/again-$i" || break
	differing+=$(diff <(grep '^platform_test_http_requests_total' "$M/end") \
		<(grep '^platform_test_http_requests_total' "$M/again-$i") | head -3)
done
expect_equal "$differing" "" "six idle scrapes (any of 3 responders) give the same request counts" "scrapes"
nginx_requests=$(metric_delta "$M/start" "$M/end" nginx_http_requests_total)
sent=$((HEARTBEATS + UNMATCHED + READS + WRONG + BATTLES))
expect_equal "$(metric_value "$M/end" nginx_up)" 1 "nginx_up is 1" "nginx_up"
check "nginx counted at least the $sent requests sent ($nginx_requests)" test "$nginx_requests" -ge "$sent"

# ---- the worker's figures ----
db=$E2E_STATE/platform-test.db
wait_all_done() {
	local tries
	for tries in $(seq 1 150); do
		[ "$(sqlite3 "$db" "SELECT count(*) FROM battles WHERE status = 'queued'")" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
check "every battle was applied" wait_all_done
sleep 0.3
metrics_scrape "$M/applied" || exit 1
applied=$(sqlite3 "$db" "SELECT count(*) FROM battles WHERE status = 'done'")
worker_delta() {
	metric_delta "$M/s0" "$M/applied" "$1"
}
expect_equal "$(worker_delta platform_test_battles_applied_total)" "$applied" \
	"battles_applied_total moved by the $applied battles applied" "delta"
expect_equal "$(worker_delta platform_test_battle_lag_seconds_count)" "$applied" "one lag observation per battle" "delta"
expect_equal "$(worker_delta platform_test_battle_batch_size_sum)" "$applied" \
	"batch sizes add up to the battles applied" "delta"
check "at least one batch was counted" test "$(worker_delta platform_test_battle_batch_size_count)" -ge 1
# The responders' write groups: every create and submission since s0 was
# written in one (alice, bob and the battles).
expect_equal "$(worker_delta platform_test_write_group_size_sum)" "$((BATTLES + 2))" \
	"write group sizes add up to the 2 creates and $BATTLES submissions" "delta"
check "at least one write group was counted" test "$(worker_delta platform_test_write_group_size_count)" -ge 1
expect_equal "$(metric_value "$M/applied" 'platform_test_battle_queue_depth{list="queued"}')" 0 \
	"the queue depth is 0 once all is applied" "gauge"

# A worker killed is counted as a restart once the next one runs; a
# responder killed loses nothing (the counters are in the shared file).
restarts=$(metric_value "$M/applied" platform_test_worker_restarts_total)
old_worker=$(e2e_pid worker)
kill -KILL "$old_worker" "$(e2e_pid responder-1)"
restarted() {
	local pid tries
	for tries in $(seq 1 100); do
		pid=$(e2e_pid worker)
		if [ -n "$pid" ] && [ "$pid" != "$old_worker" ] && metrics_scrape "$M/restarted" &&
		   [ "$(metric_value "$M/restarted" platform_test_worker_restarts_total)" = $((restarts + 1)) ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}
check "a worker killed and started again is one restart" restarted
check "a killed responder reset no counter" test \
	"$(metric_value "$M/restarted" 'platform_test_http_requests_total{route="get_heartbeat",code="200"}')" \
	-ge "$(metric_value "$M/end" 'platform_test_http_requests_total{route="get_heartbeat",code="200"}')"

# ---- Redis stopped: the responders count their Redis errors ----
redis_errors='platform_test_redis_errors_total{process="responder"}'
before=$(metric_value "$M/restarted" "$redis_errors")
kill -STOP "$(e2e_pid redis)"
http GET /leaderboard -u "$E2E_ADMIN"
kill -CONT "$(e2e_pid redis)"
expect_status 503 "GET /leaderboard with Redis stopped"
metrics_scrape "$M/redis" || exit 1
check "the responders' Redis errors rose ($before → $(metric_value "$M/redis" "$redis_errors"))" \
	test "$(metric_value "$M/redis" "$redis_errors")" -gt "$before"

# ---- SQLite's write lock held past the busy timeout (2 s by default) ----
busy='platform_test_sqlite_busy_total{process="responder"}'
timeouts='platform_test_sqlite_busy_timeouts_total{process="responder"}'
mkfifo "$M/writer"
sqlite3 "$db" < "$M/writer" > /dev/null 2>&1 &
writer=$!
exec 8> "$M/writer"
echo "BEGIN IMMEDIATE;" >&8
sleep 0.3
json POST /players '{"name":"metrics-busy"}' -u "$E2E_ADMIN"
echo "ROLLBACK;" >&8
exec 8>&-
wait "$writer"
expect_status 503 "POST /players while another connection holds the write lock"
metrics_scrape "$M/busy" || exit 1
check "the responders' busy waits rose" test "$(metric_value "$M/busy" "$busy")" -gt "$(metric_value "$M/redis" "$busy")"
expect_equal "$(metric_delta "$M/redis" "$M/busy" "$timeouts")" 1 "one busy wait timed out" "delta"

# ---- the board lost: the worker rebuilds it, and it is counted ----
rebuilds='platform_test_leaderboard_rebuilds_total{process="worker"}'
redis-cli -s "$E2E_STATE/run/redis.sock" del pt:leaderboard:built > /dev/null
rebuilt() {
	local tries
	for tries in $(seq 1 50); do
		metrics_scrape "$M/rebuilt" &&
			[ "$(metric_delta "$M/busy" "$M/rebuilt" "$rebuilds")" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}
check "the worker's rebuild of a lost board is counted once" rebuilt

# ---- the dashboard and the documentation against a real scrape ----
dashboard=$PT_SRCDIR/docs/grafana-dashboard.json
check "the dashboard is valid JSON with a numeric schemaVersion" \
	jq -e '(.schemaVersion | type == "number") and (.panels | length > 0)' "$dashboard"
check "every panel has a unique id and at least one target" \
	jq -e '[.panels[] | select(.type != "row")] | (map(.id) | length == (unique | length)) and all(.targets | length > 0)' \
	"$dashboard"
unknown=$(dashboard_unknown_metrics "$dashboard" "$M/rebuilt")
expect_equal "$unknown" "" "every dashboard expression names only metrics /metrics exposes" "dashboard"
undocumented=$(metrics_families "$M/rebuilt" | while read -r name type; do
	grep -qF "| \`$name\` | $type |" "$PT_SRCDIR/docs/operations.md" || echo "$name ($type)"
done)
expect_equal "$undocumented" "" "docs/operations.md lists every exposed family with its type" "docs"

e2e_finish
