#!/bin/bash
# SPDX-License-Identifier: ISC
# test_faults.sh — dependency faults and auth abuse, through nginx:
#  - Redis stopped (SIGSTOP): /heartbeat 503 degraded, POST /battles 503 with
#    nothing queued, leaderboard reads 503, POST /players 503 with nothing
#    created; reads of the store alone still served; recovery after SIGCONT with no
#    process restarted;
#  - the store write-locked by a long writer: writes wait the busy timeout
#    (PT_SQLITE_BUSY_TIMEOUT_MS, or on PostgreSQL the statement timeout
#    PT_PG_STATEMENT_TIMEOUT_MS; 1000 ms here), then 503; never a half write;
#  - a responder killed mid-request (in a write transaction, and with the
#    request sent but not yet read): nginx answers 502 for that request,
#    nothing of it is stored, and the supervisor makes the pool whole again;
#  - disk full (SQLite only: the state directory, with SQLite and Redis's
#    AOF, is a small tmpfs, when mounting one is allowed): the heartbeat says degraded (503)
#    for SQLite, and for Redis once it refuses writes (MISCONF); a create
#    whose entry Redis took in memory (its AOF write failing) and whose
#    commit failed answers 503, the undo Redis refuses is logged, and the
#    worker's board check removes the entry once Redis takes writes again;
#    nothing half-written, then recovery;
#  - auth abuse: a wrong password costs the same for an existing name, an
#    unknown name and a player without a password; nginx's limit_req slows a
#    burst on /sessions with 429 + Retry-After; no token or password reaches
#    any log.
. "$(dirname "$0")/lib.sh"

BUSY_TIMEOUT_MS=1000
export PT_SQLITE_BUSY_TIMEOUT_MS=$BUSY_TIMEOUT_MS PT_PG_STATEMENT_TIMEOUT_MS=$BUSY_TIMEOUT_MS
# The installed site's rate limits on, so the /sessions limit can be seen.
export PT_RATE_LIMIT=1

# ---- the state directory on a small tmpfs, when this host allows it ----
mkdir -p "$E2E_TMP/state"
tmpfs=no
if [ "$E2E_BACKEND" = sqlite ] && [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=48m,mode=0700 pt-e2e-faults "$E2E_TMP/state" 2>/dev/null; then
	tmpfs=yes
	# The logs live off the tmpfs: what the programs log while the disk is
	# full must reach the files the test reads.
	mkdir -p "$E2E_TMP/logs"
	ln -s "$E2E_TMP/logs" "$E2E_TMP/state/log"
fi
faults_teardown() {
	e2e_stop_stack
	if [ "$tmpfs" = yes ]; then
		# keep the logs for e2e_teardown's report, then let go of the mount
		mkdir -p "$E2E_TMP/kept"
		ln -s "$E2E_TMP/logs" "$E2E_TMP/kept/log"
		umount "$E2E_TMP/state" 2>/dev/null || umount -l "$E2E_TMP/state"
		E2E_STATE=$E2E_TMP/kept
	fi
	e2e_teardown
}
trap faults_teardown EXIT

e2e_start_stack 2 || exit 1
db=$E2E_STATE/platform-test.db	# SQLite's
redis_sock=$E2E_STATE/run/redis.sock


count() {
	sql "SELECT count(*) FROM $1"
}

redis_lists() {
	redis-cli -s "$redis_sock" EVAL \
		"return redis.call('LLEN', KEYS[1]) + redis.call('LLEN', KEYS[2])" 2 pt:battles:queue pt:battles:processing
}


queue_drained() {
	[ "$(redis_lists 2>/dev/null)" = 0 ] && [ "$(sql "SELECT count(*) FROM battles WHERE status = 'queued'")" = 0 ]
}

pids() {
	local name
	for name in responder-1 responder-2 worker redis nginx; do
		printf '%s=%s ' "$name" "$(e2e_pid "$name")"
	done
}

not_on_board() {
	! redis-cli -s "$redis_sock" ZRANGE pt:leaderboard 0 -1 | grep -q ":$1\$"
}

alice=$(create_player alice '"password":"alice password","gold":1000') || exit 1
bob=$(create_player bob '"password":"bob password","gold":1000') || exit 1
carol=$(create_player carol) || exit 1
token=$(session alice "alice password") || exit 1
BEARER="Authorization: Bearer $token"
battle_body="{\"attacker_id\":$alice,\"defender_id\":$bob}"

# ============ Redis stopped ====================================================
pids_before=$(pids)
battles_before=$(count battles)
players_before=$(count players)
redis_pid=$(e2e_pid redis)
kill -STOP "$redis_pid"
started=$(now_ms)
http GET /heartbeat -m 5
expect_status 503 "Redis stopped: heartbeat"
expect_json '[.status, .checks.sqlite, .checks.redis] | join("/")' degraded/ok/error "Redis stopped: heartbeat names redis"
check "Redis stopped: heartbeat answers within 2 s ($(( $(now_ms) - started )) ms)" test $(( $(now_ms) - started )) -lt 2000
json POST /battles "$battle_body" -H "$BEARER" -m 5
expect_error 503 unavailable "Redis stopped: POST /battles"
json POST /battles "$battle_body" -H "$BEARER" -H 'Idempotency-Key: during-the-outage' -m 5
expect_error 503 unavailable "Redis stopped: POST /battles with an Idempotency-Key"
http GET /leaderboard -H "$BEARER" -m 5
expect_error 503 unavailable "Redis stopped: GET /leaderboard"
http GET "/leaderboard?around=$alice&limit=3" -H "$BEARER" -m 5
expect_error 503 unavailable "Redis stopped: GET /leaderboard?around"
json POST /players '{"name":"outage"}' -u "$E2E_ADMIN" -m 5
expect_error 503 unavailable "Redis stopped: POST /players"
http GET "/players/$bob" -H "$BEARER" -m 5
expect_status 200 "Redis stopped: a read that needs only the store is served"
http POST /sessions -u "bob:bob password" -m 5
expect_status 201 "Redis stopped: a session (the store only) is opened"
kill -CONT "$redis_pid"

# Commands a timed-out responder had already sent reach Redis now; whatever
# they did must come to nothing.
check "Redis resumed: the queue drains" until_true 10 queue_drained
check "Redis resumed: no battle row from the 503s" test "$(count battles)" = "$battles_before"
check "Redis resumed: no player row from the 503" test "$(count players)" = "$players_before"
check "Redis resumed: no leaderboard entry from the 503" not_on_board outage
check "Redis resumed: no idempotency record from the 503" test "$(count idempotency_keys)" = 0
if grep -q 'dropped: its submission never committed' "$E2E_STATE/log/worker.log"; then
	e2e_log "note: a push sent before its 503 reached Redis after SIGCONT; the worker dropped it (no row)"
fi
http GET /heartbeat
expect_status 200 "Redis resumed: heartbeat"
json POST /battles "$battle_body" -H "$BEARER" -H 'Idempotency-Key: during-the-outage'
expect_status 202 "Redis resumed: the retried battle is accepted"
battle=$(jq_body .id)
http GET /leaderboard -H "$BEARER"
expect_status 200 "Redis resumed: GET /leaderboard"
json POST /players '{"name":"outage"}' -u "$E2E_ADMIN"
expect_status 201 "Redis resumed: POST /players"
check "Redis resumed: the battle is processed" until_true 10 queue_drained
http GET "/battles/$battle" -H "$BEARER"
expect_json .status done "Redis resumed: the battle is done"
check "Redis outage: no process was restarted ($pids_before)" test "$(pids)" = "$pids_before"

# ============ the store locked by a long writer ===================================
# A writer holds the write lock in an open transaction that changed a row:
# SQLite's database-wide lock, or on PostgreSQL an EXCLUSIVE lock on players
# (reads go on; inserts, and the foreign-key checks of a battle's insert,
# wait for it).
if [ "$E2E_BACKEND" = postgresql ]; then
	coproc LOCKER { psql -X -q -A -t "$E2E_DATABASE_URL" 2>&1; }
	lock_statement="BEGIN; LOCK TABLE players IN EXCLUSIVE MODE;"
else
	coproc LOCKER { sqlite3 -cmd '.timeout 5000' "$db" 2>&1; }
	lock_statement="BEGIN IMMEDIATE;"
fi
lock_db() {
	echo "$lock_statement UPDATE players SET description = 'written by the locker' WHERE id = $carol; SELECT 'locked';" >&"${LOCKER[1]}"
	local line
	read -r -t 10 line <&"${LOCKER[0]}" && [ "$line" = locked ]
}
unlock_db() {
	echo "ROLLBACK; SELECT 'unlocked';" >&"${LOCKER[1]}"
	local line
	read -r -t 10 line <&"${LOCKER[0]}" && [ "$line" = unlocked ]
}
check "a long writer holds the write lock" lock_db
players_before=$(count players)
battles_before=$(count battles)
started=$(now_ms)
json POST /players '{"name":"locked-out"}' -u "$E2E_ADMIN" -m 10
waited=$(( $(now_ms) - started ))
expect_error 503 unavailable "store locked: POST /players"
check "store locked: the create waited the busy timeout ($waited ms, timeout $BUSY_TIMEOUT_MS ms)" \
	test "$waited" -ge $((BUSY_TIMEOUT_MS * 9 / 10)) -a "$waited" -le $((BUSY_TIMEOUT_MS * 3 / 2 + 300))
started=$(now_ms)
json POST /battles "$battle_body" -H "$BEARER" -m 10
waited=$(( $(now_ms) - started ))
expect_error 503 unavailable "store locked: POST /battles"
check "store locked: the battle waited the busy timeout ($waited ms)" \
	test "$waited" -ge $((BUSY_TIMEOUT_MS * 9 / 10)) -a "$waited" -le $((BUSY_TIMEOUT_MS * 3 / 2 + 300))
http GET "/players/$carol" -H "$BEARER"
expect_status 200 "store locked: reads go on"
expect_json .description "" "store locked: the locker's uncommitted change is not visible"
http GET /heartbeat
expect_status 200 "store locked: heartbeat (a read)"
check "the long writer gives up its transaction" unlock_db
check "store unlocked: no player row from the 503" test "$(count players)" = "$players_before"
check "store unlocked: no battle row from the 503" test "$(count battles)" = "$battles_before"
check "store unlocked: nothing queued" until_true 5 queue_drained
check "store unlocked: no leaderboard entry from the 503" not_on_board locked-out
check "store unlocked: the rolled-back change is gone" test "$(sql "SELECT description FROM players WHERE id = $carol")" = ""
if [ "$E2E_BACKEND" = sqlite ]; then
	check "SQLite unlocked: integrity_check ok" test "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok
fi
json POST /players '{"name":"locked-out"}' -u "$E2E_ADMIN"
expect_status 201 "store unlocked: the create succeeds"

# ============ a responder killed mid-request ======================================
# responder_serving: pid of a responder busy with a request. An idle one
# waits in epoll for its listening socket and the connections nginx keeps
# open to it, so an established connection no longer means "serving".
responder_serving() {
	local index pid
	for index in 1 2; do
		pid=$(e2e_pid "responder-$index")
		[ -n "$pid" ] || continue
		if [ "$(cat "/proc/$pid/wchan" 2>/dev/null)" != do_epoll_wait ]; then
			echo "$pid"
			return
		fi
	done
}
# responder_holding: index of the responder a request waits for, unread: in
# its accept queue or on a connection nginx keeps open to it (Recv-Q > 0 on
# a socket whose local address is the responder's).
responder_holding() {
	e2e_responder_sockets | awk '$2 > 0 { print $3; exit }'
}
responder_index() {
	local index
	for index in 1 2; do
		[ "$(e2e_pid "responder-$index")" = "$1" ] && echo "$index"
	done
}
pool_whole() {
	local index pid
	for index in 1 2; do
		pid=$(e2e_pid "responder-$index")
		[ -n "$pid" ] && [ "$pid" != "$killed" ] && kill -0 "$pid" 2>/dev/null || return 1
	done
}

# (a) inside its write transaction: the lock makes it wait there.
check "a long writer holds the write lock again" lock_db
players_before=$(count players)
( json POST /players '{"name":"killed-mid"}' -u "$E2E_ADMIN" -m 10
  printf '%s\n%s\n' "$STATUS" "$BODY" > "$E2E_TMP/killed-mid" ) &
client=$!
killed=""
deadline=$(( $(now_ms) + BUSY_TIMEOUT_MS ))
while [ -z "$killed" ] && [ "$(now_ms)" -lt "$deadline" ]; do
	killed=$(responder_serving)
	[ -n "$killed" ] || sleep 0.02
done
if [ -n "$killed" ]; then
	index=$(responder_index "$killed")
	kill -KILL "$killed"
	pass "killed responder-$index (pid $killed) while it waited in its transaction"
else
	fail "found the responder serving the request"
fi
wait "$client"
unlock_db
echo .quit >&"${LOCKER[1]}"
STATUS=$(sed -n 1p "$E2E_TMP/killed-mid")
BODY=$(sed -n 2p "$E2E_TMP/killed-mid")
expect_status 502 "killed mid-request: nginx answers 502"
expect_json '.error.status' 502 "killed mid-request: a JSON error body"
check "killed mid-request: the player was not created" test "$(count players)" = "$players_before"
check "killed mid-request: no leaderboard entry" not_on_board killed-mid
check "killed mid-request: the supervisor restarts the responder" until_true 5 pool_whole
for i in 1 2 3 4 5 6; do
	http GET "/players/$alice" -H "$BEARER"
	[ "$STATUS" = 200 ] || break
done
expect_status 200 "the pool serves again (6 requests)"

# (b) not yet read: both responders stopped, the request sent (into an accept
# queue or a kept connection), the responder holding it killed, the other
# resumed.
r1=$(e2e_pid responder-1)
r2=$(e2e_pid responder-2)
battles_before=$(count battles)
kill -STOP "$r1" "$r2"
( json POST /battles "$battle_body" -H "$BEARER" -m 10
  printf '%s\n%s\n' "$STATUS" "$BODY" > "$E2E_TMP/queued" ) &
client=$!
index=""
deadline=$(( $(now_ms) + 8000 ))
while [ -z "$index" ] && [ "$(now_ms)" -lt "$deadline" ]; do
	index=$(responder_holding)
	[ -n "$index" ] || sleep 0.02
done
killed=""
if [ -n "$index" ]; then
	killed=$(e2e_pid "responder-$index")
	kill -KILL "$killed"
	pass "killed responder-$index (pid $killed) with the request unread"
else
	fail "found the responder holding the request"
	kill -KILL "$r1"
	killed=$r1
fi
kill -CONT "$r1" "$r2" 2>/dev/null
wait "$client"
STATUS=$(sed -n 1p "$E2E_TMP/queued")
BODY=$(sed -n 2p "$E2E_TMP/queued")
expect_status 502 "killed with the request unread: nginx answers 502"
check "killed with the request unread: no battle stored" test "$(count battles)" = "$battles_before"
check "killed with the request unread: the pool is whole again" until_true 5 pool_whole
json POST /battles "$battle_body" -H "$BEARER"
expect_status 202 "the pool takes battles again"
check "and processes them" until_true 10 queue_drained

# ============ disk full ==========================================================
truncate_wal() {
	[ "$(sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' 2>/dev/null | cut -d'|' -f1)" = 0 ]
}

# Redis writes its AOF in the blocks its current file already has: a new
# file after a rewrite has none, so its next write needs a new block.
aof_rewritten() {
	redis-cli -s "$redis_sock" INFO persistence |
		grep -qE '^aof_rewrite_in_progress:0' &&
	! redis-cli -s "$redis_sock" INFO persistence | grep -qE '^aof_rewrite_scheduled:1'
}
heartbeat_checks() {
	http GET /heartbeat
	[ "$STATUS $(jq_body '[.status, .checks.sqlite, .checks.redis] | join("/")')" = "$1" ]
}
board_is() {
	[ "$(redis-cli -s "$redis_sock" ZRANGE pt:leaderboard 0 -1 WITHSCORES)" = "$1" ]
}
admin_check() {
	PT_DB_PATH=$db PT_REDIS_SOCKET=$redis_sock "$PT_BUILDDIR/platform-test-admin" check > "$E2E_TMP/check.out" 2>&1
}

if [ "$tmpfs" = yes ]; then
	pids_before=$(pids)
	players_before=$(count players)
	battles_before=$(count battles)
	board_before=$(redis-cli -s "$redis_sock" ZRANGE pt:leaderboard 0 -1 WITHSCORES)
	# An emptied WAL, so the next write needs new blocks: SQLite reuses the
	# space of a WAL it has checkpointed, and a write into it still fits.
	check "the WAL is checkpointed and truncated" until_true 5 truncate_wal
	redis-cli -s "$redis_sock" BGREWRITEAOF >/dev/null
	check "Redis rewrote its AOF" until_true 10 aof_rewritten
	fallocate -l "$(df --output=avail -B1 "$E2E_STATE" | tail -n 1)" "$E2E_STATE/filler" 2>/dev/null
	dd if=/dev/zero of="$E2E_STATE/filler-rest" bs=4k 2>/dev/null
	check "the state directory is full" test "$(df --output=avail -B1 "$E2E_STATE" | tail -n 1)" -lt 4096
	check "disk full: the heartbeat says degraded for SQLite within 2 s" \
		until_true 2 heartbeat_checks "503 degraded/error/ok"
	json POST /players "{\"name\":\"disk-full\",\"description\":\"$(head -c 1000 /dev/zero | tr '\0' d)\"}" -u "$E2E_ADMIN"
	expect_error 503 unavailable "disk full: POST /players"
	check "disk full: the refused undo of the create is logged" \
		grep -q 'rolled back, but its leaderboard entry could not be taken back (.*MISCONF' "$E2E_STATE/log/responder.log"
	check "disk full: the heartbeat says degraded for Redis too (it refuses writes)" \
		until_true 2 heartbeat_checks "503 degraded/error/error"
	json POST /battles "$battle_body" -H "$BEARER" -H 'Idempotency-Key: disk-full'
	expect_error 503 unavailable "disk full: POST /battles"
	http GET "/players/$alice" -H "$BEARER"
	expect_status 200 "disk full: reads are served"
	rm -f "$E2E_STATE/filler" "$E2E_STATE/filler-rest"
	check "disk freed: the heartbeat says ok again within 10 s" until_true 10 heartbeat_checks "200 ok/ok/ok"
	check "disk full: no player row" test "$(count players)" = "$players_before"
	check "disk full: no battle row" test "$(count battles)" = "$battles_before"
	check "disk full: nothing left queued" until_true 10 queue_drained
	check "disk freed: the board check took the entry back within 10 s" until_true 10 not_on_board disk-full
	check "disk full: the leaderboard is as before" until_true 10 board_is "$board_before"
	check "disk freed: the worker logged the member that is no player" \
		grep -q 'leaderboard damaged: marker set, .* players in the store; rebuilding it' "$E2E_STATE/log/worker.log"
	check "disk freed: admin check finds SQLite and Redis agreeing" admin_check
	check "disk full: integrity_check ok" test "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok
	created=no
	for attempt in $(seq 1 30); do
		json POST /players '{"name":"disk-full"}' -u "$E2E_ADMIN"
		[ "$STATUS" = 201 ] && { created=yes; break; }
		sleep 0.2
	done
	check "disk freed: the create succeeds" test "$created" = yes
	json POST /battles "$battle_body" -H "$BEARER" -H 'Idempotency-Key: disk-full'
	expect_status 202 "disk freed: the battle is accepted"
	check "disk freed: and processed" until_true 10 queue_drained
	check "disk full: no process was restarted" test "$(pids)" = "$pids_before"
elif [ "$E2E_BACKEND" = postgresql ]; then
	# A full disk under PostgreSQL's WAL stops the server (a PANIC, by design);
	# docs/operations.md says to keep pg_wal on a volume with headroom.
	e2e_log "SKIP disk full: SQLite only (the state directory on a tmpfs)"
else
	e2e_log "SKIP disk full: cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)"
fi

# ============ auth abuse ===========================================================
# Wrong passwords: an existing name, an unknown name, a player with no
# password. Interleaved, paced under the /sessions rate limit (5/s). Each
# round comes from its own loopback address, so the three failures it makes
# stay under the per-address throttle of failed authentications (10 a
# minute, test_sessions.sh), which would otherwise answer 429.
: > "$E2E_TMP/timing"
for round in $(seq 1 20); do
	for kind in existing unknown nopassword; do
		case "$kind" in
		existing) user="alice:wrong password $round" ;;
		unknown) user="nobody-$round:wrong password $round" ;;
		nopassword) user="carol:wrong password $round" ;;
		esac
		curl -s -o /dev/null -w "$kind %{http_code} %{time_total}\n" -X POST -u "$user" \
			--interface "127.0.1.$round" "$E2E_URL/sessions" >> "$E2E_TMP/timing"
		sleep 0.2
	done
done
check "every wrong password is 401" test "$(awk '$2 != 401' "$E2E_TMP/timing" | wc -l)" = 0
median() {
	awk -v kind="$1" '$1 == kind { print $3 }' "$E2E_TMP/timing" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
existing=$(median existing)
unknown=$(median unknown)
nopassword=$(median nopassword)
e2e_log "median wrong-password time: existing ${existing}s, unknown ${unknown}s, no password ${nopassword}s"
within() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(b > 0 && a / b >= 0.5 && a / b <= 2) }'
}
check "timing: unknown name vs existing name within 0.5–2× ($unknown / $existing)" within "$unknown" "$existing"
check "timing: no password vs existing name within 0.5–2× ($nopassword / $existing)" within "$nopassword" "$existing"

# A burst: the site's limit_req (5/s, burst 10) answers 429 with Retry-After,
# whether the credentials are right or not (right ones here: wrong ones past
# ten would also meet the failure throttle). From its own address.
burst_from=127.0.2.1
for i in $(seq 1 25); do
	echo "url = \"$E2E_URL/sessions\""
	echo "request = \"POST\""
	echo "user = \"alice:alice password\""
	echo "interface = \"$burst_from\""
	echo "write-out = \"%{http_code}\\n\""
	echo "output = \"/dev/null\""
	[ "$i" -eq 25 ] || echo next
done > "$E2E_TMP/burst.curl"
curl -s --parallel --parallel-max 25 -K "$E2E_TMP/burst.curl" > "$E2E_TMP/burst"
limited=$(grep -c '^429$' "$E2E_TMP/burst")
check "a burst of 25 sign-ins: some are refused with 429 ($limited)" test "$limited" -gt 0
http POST /sessions -u "alice:alice password" --interface "$burst_from"
if [ "$STATUS" = 429 ]; then
	expect_error 429 too_many_requests "a sign-in during the limit"
	check "429 carries Retry-After" test -n "$(header Retry-After)"
fi
sleep 2.5
http POST /sessions -u "alice:alice password" --interface "$burst_from"
expect_status 201 "after the burst drains, the right password works"

# Tokens and passwords never reach a log, whatever the request did.
for path in "/players/$alice" "/players/999999" "/leaderboard?token=$token" "/battles/1" /nope; do
	http GET "$path" -H "$BEARER"
	http DELETE "$path" -H "$BEARER"
done
http GET "/players/$alice" -H "Authorization: Bearer ${token%?}x"
http GET "/players/$alice" -H "Authorization: Basic $(printf 'alice:alice password' | base64)"
signature=${token##*.}
admin_basic=$(printf '%s' "$E2E_ADMIN" | base64 -w0)
alice_basic=$(printf 'alice:alice password' | base64 -w0)
leaks=""
for secret in "$token" "$signature" "$E2E_ADMIN_PASSWORD" "$admin_basic" "alice password" "$alice_basic" \
	"bob password" "$E2E_JWT_SECRET"; do
	if grep -rqF -- "$secret" "$E2E_STATE/log/"; then
		leaks="$leaks [$(printf '%.24s' "$secret")...]"
	fi
done
check "no token, password or secret in $E2E_STATE/log/*${leaks:+ (found:$leaks)}" test -z "$leaks"

e2e_finish
