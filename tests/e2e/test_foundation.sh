#!/bin/bash
# SPDX-License-Identifier: ISC
# test_foundation.sh — the stack through nginx: heartbeat, 404/405, the error
# model (400/413/415), migrations idempotent and refusing unknown versions,
# and Redis down → 503 degraded → recovery without restarting responders;
# nginx keeps its FastCGI connections open and more of them than responders
# never pins the pool.
. "$(dirname "$0")/lib.sh"

e2e_start_stack 2 || exit 1

http GET /heartbeat
expect_status 200 "GET /heartbeat"
expect_json '.status' ok "heartbeat status ok"
expect_json '.version' 1.0.0 "heartbeat version"
expect_json '.checks.sqlite + "/" + .checks.redis' ok/ok "heartbeat checks"
expect_json '.queue.pending' 0 "heartbeat queue pending"
expect_header Content-Type application/json "heartbeat content type"

http GET /nope
expect_error 404 not_found "unknown path"
http GET /nope -u "$E2E_ADMIN"
expect_error 404 not_found "unknown path with credentials"
http DELETE /heartbeat
expect_error 405 method_not_allowed "DELETE /heartbeat"
expect_header Allow GET "405 carries Allow: GET"
http GET /players -H 'Authorization: Bearer nonsense'
expect_error 405 method_not_allowed "GET /players (routing before auth)"
expect_header Allow POST "Allow: POST on /players"
http GET //players
expect_error 404 not_found "//players"

http POST /players -u "$E2E_ADMIN" -H 'Content-Type: text/plain' --data-binary '{"name":"x"}'
expect_error 415 unsupported_media_type "POST with text/plain"
json POST /players '{"name":' -u "$E2E_ADMIN"
expect_error 400 bad_json "truncated JSON"
json POST /players '[1,2]' -u "$E2E_ADMIN"
expect_error 400 bad_json "JSON array body"
json POST /players "{\"name\":\"big\",\"description\":\"$(head -c 66000 /dev/zero | tr '\0' a)\"}" -u "$E2E_ADMIN"
expect_error 413 payload_too_large "body over 64 KiB"
http POST /players -u "$E2E_ADMIN" -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"name":"charset-ok"}'
expect_status 201 "application/json with charset parameter"

# ---- nginx keeps its connections to the responders open ----
# responder_connections: the inodes of the responders' ends of open
# connections (their local address is the responder's socket).
responder_connections() {
	e2e_responder_sockets | awk '$1 == "ESTAB" { print $4 }' | sort -n | paste -sd' '
}
for i in 1 2 3 4; do http GET /heartbeat; done
connections_before=$(responder_connections)
check "after four requests nginx holds connections to the responders ($connections_before)" test -n "$connections_before"
# Requests whose body the handler never reads (405, 415, 413 by length)
# must leave nothing behind on a kept connection for the next request.
http POST /heartbeat -H 'Content-Type: application/json' --data-binary '{"unread":true}'
expect_error 405 method_not_allowed "POST /heartbeat with a body on a kept connection"
http POST /players -u "$E2E_ADMIN" -H 'Content-Type: text/plain' --data-binary 'unread body'
expect_error 415 unsupported_media_type "an unread text/plain body on a kept connection"
for i in 1 2 3 4 5 6; do
	http GET /heartbeat
	[ "$STATUS" = 200 ] || break
done
expect_status 200 "the requests after them on the same connections"
check "ten more requests opened no new connection" test "$(responder_connections)" = "$connections_before"

# 40 clients at once leave nginx with far more idle kept connections than
# the 2 responders; with libfcgi's one-connection loop that pins the pool.
curl -s --parallel --parallel-immediate --parallel-max 40 \
	$(for i in $(seq 1 80); do printf -- '-o /dev/null %s/heartbeat ' "$E2E_URL"; done)
kept=$(responder_connections | wc -w)
check "40 parallel clients leave more kept connections than responders ($kept)" test "$kept" -gt 2
for i in $(seq 1 10); do
	http GET /heartbeat -m 2
	[ "$STATUS" = 200 ] || break
done
expect_status 200 "requests are still served at once (10, within 2 s each)"

# ---- migrations: a second run changes nothing; unknown versions are refused ----
schema() {
	if [ "$E2E_BACKEND" = postgresql ]; then
		e2e_pg_schema
	else
		sqlite3 "$E2E_STATE/platform-test.db" .schema
	fi
}
schema_before=$(schema)
migrated=$(e2e_admin migrate)
check "second migrate reports up to date" grep -q "up to date" <<<"$migrated"
check "second migrate leaves the schema unchanged" test "$schema_before" = "$(schema)"
versions=$(cd "$PT_SRCDIR/sql/$E2E_BACKEND" && ls [0-9]*.sql | sed 's/^0*//; s/_.*//' | paste -sd,)
check "each migration recorded once ($versions)" test "$(sql 'SELECT version FROM schema_migrations ORDER BY version' | paste -sd,)" = "$versions"
# A migration this release does not have: the database is from a newer one.
if [ "$E2E_BACKEND" = postgresql ]; then
	sql "INSERT INTO schema_migrations VALUES (999, '999_from_the_future.sql', '2030-01-01T00:00:00Z')"
	e2e_admin migrate >/dev/null 2>"$E2E_TMP/refused"
	code=$?
	sql "DELETE FROM schema_migrations WHERE version = 999"
else
	cp "$E2E_STATE/platform-test.db" "$E2E_TMP/future.db"
	sqlite3 "$E2E_TMP/future.db" "INSERT INTO schema_migrations VALUES (999, '999_from_the_future.sql', '2030-01-01T00:00:00Z')"
	PT_DB_PATH=$E2E_TMP/future.db PT_SQL_DIR=$PT_SRCDIR/sql "$PT_BUILDDIR/platform-test-admin" migrate >/dev/null 2>"$E2E_TMP/refused"
	code=$?
fi
check "migrate refuses a database with an unknown migration (exit $code)" test "$code" = 3
check "the refusal names the migration" grep -q 999_from_the_future "$E2E_TMP/refused"
refused() {
	! sql "$1" 2>/dev/null
}
check "CHECK constraints refuse a bad row" refused "INSERT INTO players (name, luck, created_at) VALUES ('bad', 91, '2026-01-01T00:00:00Z')"
if [ "$E2E_BACKEND" = sqlite ]; then
	check "WAL mode" test "$(sqlite3 "$E2E_STATE/platform-test.db" 'PRAGMA journal_mode')" = wal
fi

# ---- the responder refuses weak or missing secrets ----
for case in "PT_ADMIN_PASSWORD=short" "PT_JWT_SECRET=fifteen-bytes!!" "PT_ADMIN_PASSWORD="; do
	env "$case" PT_DB_PATH="$E2E_STATE/platform-test.db" "$PT_BUILDDIR/platform-test-responder" \
		</dev/null >/dev/null 2>"$E2E_TMP/refused"
	code=$?
	check "the responder refuses to start with $case (exit $code)" test "$code" -ne 0
	check "and says which secret" grep -q "${case%%=*} must be set to at least 16 bytes" "$E2E_TMP/refused"
done

# ---- Redis unavailable: 503 degraded within a second, then recovery ----
responders_before="$(e2e_pid responder-1) $(e2e_pid responder-2)"
redis_pid=$(e2e_pid redis)
kill -STOP "$redis_pid"
started=$(date +%s%N)
http GET /heartbeat -m 3
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
expect_status 503 "heartbeat with Redis hung"
expect_json '.status + "/" + .checks.redis + "/" + .checks.sqlite' degraded/error/ok "degraded body names redis"
check "503 within a second (took ${elapsed_ms} ms)" test "$elapsed_ms" -lt 1000
kill -CONT "$redis_pid"
http GET /heartbeat
expect_status 200 "heartbeat after Redis resumed"

kill -KILL "$redis_pid"
http GET /heartbeat -m 3
# the supervisor restarts Redis within a second; until then the answer is 503
[ "$STATUS" = 503 ] && pass "heartbeat with Redis killed: 503" || pass "heartbeat with Redis killed: restarted before the probe ($STATUS)"
for attempt in $(seq 1 50); do
	http GET /heartbeat
	[ "$STATUS" = 200 ] && break
	sleep 0.1
done
expect_status 200 "heartbeat recovers once Redis is back"
check "responders were not restarted" test "$responders_before" = "$(e2e_pid responder-1) $(e2e_pid responder-2)"

# ---- the supervisor restarts a dead responder and worker ----
old_worker=$(e2e_pid worker)
kill -KILL "$old_worker"
for attempt in $(seq 1 50); do
	new_worker=$(e2e_pid worker)
	[ -n "$new_worker" ] && [ "$new_worker" != "$old_worker" ] && kill -0 "$new_worker" 2>/dev/null && break
	sleep 0.1
done
check "a killed worker is restarted" test "$new_worker" != "$old_worker"
check "the worker's command line contains worker" grep -q worker "/proc/$new_worker/cmdline"

e2e_finish
