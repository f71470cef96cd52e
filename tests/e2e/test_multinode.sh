#!/bin/bash
# SPDX-License-Identifier: ISC
# test_multinode.sh — the system beyond one machine, on loopback: one
# PostgreSQL (TCP, TLS required, passwords), one Redis on its own address
# (a password and an ACL user, appendonly on), and two app nodes, each its
# own pt-stack (nginx on 127.0.0.2 and 127.0.0.3, two responders, a worker).
# Both nodes migrate at once as they start. Battles are submitted to both
# nodes at once by several clients while
#  - the active worker is killed with SIGKILL mid-drain (its node's
#    supervisor restarts it, as systemd would), and the standby on the other
#    node must take over within 5 s;
#  - the new active worker loses its database connection (its backend is
#    terminated): the other worker must take over within 5 s;
#  - PostgreSQL is restarted (pg_ctl stop -m immediate, then start);
#  - Redis is killed and restarted on the same address;
# then: every accepted battle applied exactly once, battles of each player in
# id order, gold and silver conserved, scores the sum of the awards, the
# board equal to SQL, and no process of either node restarted but the
# killed worker. The failover times are printed (BENCHMARKS.md quotes them).
export E2E_BACKEND=postgresql
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/battles_lib.sh"

NODES=(a b)
declare -A NODE_ADDRESS=([a]=127.0.0.2 [b]=127.0.0.3) NODE_PID=() NODE_URL=()
REDIS_PASSWORD="redis-app-password-$$"
REDIS_PID=""



# ---- Redis on an address of its own ----------------------------------------------
REDIS_DIR=$E2E_TMP/redis
REDIS_PORT=$(e2e_free_port) || exit 1
mkdir -p "$REDIS_DIR"
cat > "$REDIS_DIR/redis.conf" <<CONF
bind 127.0.0.1
port $REDIS_PORT
dir $REDIS_DIR
appendonly yes
appendfsync everysec
save ""
logfile $REDIS_DIR/redis.log
# The application's ACL user: its keys only; the default user for this test.
user default on >admin-$REDIS_PASSWORD ~* &* +@all
user pt on >$REDIS_PASSWORD ~pt:* +@all
CONF
start_redis() {
	redis-server "$REDIS_DIR/redis.conf" --daemonize no &
	REDIS_PID=$!
	echo "$REDIS_PID" > "$REDIS_DIR/pid"	# for the parent, when a subshell restarted it
	until_true 10 redis_up
}
redis_up() {
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --user pt --pass "$REDIS_PASSWORD" --no-auth-warning ping 2>/dev/null |
		grep -q PONG
}
E2E_REDIS_ARGS=(-h 127.0.0.1 -p "$REDIS_PORT" --user pt --pass "$REDIS_PASSWORD" --no-auth-warning)

# ---- the nodes ------------------------------------------------------------------------
# start_node NAME: pt-stack for node NAME in its own state directory, with
# its own address; node a names everything in its URLs, node b takes its
# passwords from a passfile and PT_REDIS_USER/PT_REDIS_PASSWORD.
start_node() {
	local name=$1 port state=$E2E_TMP/node-$1 database_url redis_url
	port=$(e2e_free_port) || return 1
	NODE_URL[$name]="http://${NODE_ADDRESS[$name]}:$port"
	if [ "$name" = a ]; then
		database_url="postgresql://platform_test:$E2E_PG_PASSWORD@127.0.0.1:$E2E_PG_PORT/platform_test?sslmode=require"
		redis_url="redis://pt:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT"
	else
		printf '127.0.0.1:%s:platform_test:platform_test:%s\n' "$E2E_PG_PORT" "$E2E_PG_PASSWORD" > "$E2E_TMP/pgpass"
		chmod 600 "$E2E_TMP/pgpass"
		database_url="host=127.0.0.1 port=$E2E_PG_PORT dbname=platform_test user=platform_test sslmode=require passfile=$E2E_TMP/pgpass"
		redis_url="redis://127.0.0.1:$REDIS_PORT"
	fi
	(
		[ "$name" = a ] || export PT_REDIS_USER=pt PT_REDIS_PASSWORD=$REDIS_PASSWORD
		# PGAPPNAME names the node in pg_stat_activity: which worker is active.
		PGAPPNAME=node-$name PT_DATABASE_URL=$database_url PT_REDIS_URL=$redis_url \
		PT_STATE_DIR=$state PT_PORT=$port PT_LISTEN_ADDRESS=${NODE_ADDRESS[$name]} PT_RESPONDERS=2 \
		PT_BIN_DIR=$PT_BUILDDIR PT_SRCDIR=$PT_SRCDIR PT_WORKER_THREADS=2 PT_WORKER_BATCH=16 \
			exec bash "$PT_SRCDIR/scripts/pt-stack" > "$E2E_TMP/node-$name.log" 2>&1
	) &
	NODE_PID[$name]=$!
}
node_healthy() {
	curl -sf -o /dev/null "${NODE_URL[$1]}/heartbeat"
}
node_pid() {
	cat "$E2E_TMP/node-$1/run/$2.pid" 2>/dev/null
}
stop_nodes() {
	local name pid_file tries
	for name in "${NODES[@]}"; do
		[ -n "${NODE_PID[$name]:-}" ] && kill -TERM "${NODE_PID[$name]}" 2>/dev/null
	done
	for name in "${NODES[@]}"; do
		[ -n "${NODE_PID[$name]:-}" ] || continue
		for tries in $(seq 1 100); do kill -0 "${NODE_PID[$name]}" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "${NODE_PID[$name]}" 2>/dev/null
		for pid_file in "$E2E_TMP/node-$name"/run/*.pid; do
			[ -f "$pid_file" ] && kill -KILL "$(cat "$pid_file")" 2>/dev/null
		done
		NODE_PID[$name]=""
	done
	[ -z "$REDIS_PID" ] || kill -KILL "$REDIS_PID" 2>/dev/null
	REDIS_PID=""
}
multinode_teardown() {
	stop_nodes
	if [ "$E2E_FAILED" -gt 0 ]; then
		e2e_log "Redis:"
		tail -n 15 "$REDIS_DIR/redis.log" 2>/dev/null | sed 's/^/# /'
		for name in "${NODES[@]}"; do
			e2e_log "node $name:"
			tail -n 25 "$E2E_TMP/node-$name"/log/{worker,responder}.log 2>/dev/null | sed 's/^/# /'
		done
	fi
	e2e_teardown
}
trap multinode_teardown EXIT

# "NODE BACKEND_PID" of the worker that holds the worker role now, from
# PostgreSQL's locks; empty while nobody holds it.
active_worker() {
	psql -X -q -A -t -F' ' "$E2E_PG_URL" -c "SELECT substr(a.application_name, 6), l.pid
		FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		WHERE l.locktype = 'advisory' AND l.classid = 20260 AND l.objid = 3 AND l.granted" 2>/dev/null
}
active_node() {
	active_worker | cut -d' ' -f1
}
has_active() {
	[ -n "$(active_worker)" ]
}
# taken_over OLD: another worker than OLD ("NODE PID") holds the role.
taken_over() {
	local now
	now=$(active_worker)
	[ -n "$now" ] && [ "$now" != "$1" ]
}
other() {
	[ "$1" = a ] && echo b || echo a
}

# ---- start -------------------------------------------------------------------------------
e2e_start_postgresql || exit 1
start_redis || { fail "Redis starts"; exit 1; }
for name in "${NODES[@]}"; do start_node "$name"; done
for name in "${NODES[@]}"; do
	check "node $name serves (both migrated at once as they started)" until_true 30 node_healthy "$name"
done
check "the schema is migrated once" test "$(e2e_psql -c 'SELECT count(*) FROM schema_migrations')" = \
	"$(ls "$PT_SRCDIR"/sql/postgresql/[0-9]*.sql | wc -l)"
check "one worker is active" until_true 10 has_active
first=$(active_node)
check "the other worker stands by" grep -q 'standby' "$E2E_TMP/node-$(other "$first")/log/worker.log"
check "node a's sessions use TLS" test "$(psql -X -A -t "$E2E_PG_URL" -c \
	"SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'node-a'")" = t
E2E_WORKER_LOGS=("$E2E_TMP/node-a/log/worker.log" "$E2E_TMP/node-b/log/worker.log")

E2E_URL=${NODE_URL[a]}
create_fighters 40
gold=$(sql 'SELECT sum(gold) FROM players')
silver=$(sql 'SELECT sum(silver) FROM players')
pids_before="$(node_pid a responder-1) $(node_pid a responder-2) $(node_pid b responder-1) $(node_pid b responder-2)"

# ---- the chaos, while both nodes take battles -----------------------------------------------
# failover KIND: the active worker is killed or cut off; records how long
# until another worker holds the role, and on which node.
failover() {
	local kind=$1 before after started took
	before=$(active_worker)
	started=$(now_ms)
	if [ "$kind" = kill ]; then
		kill -KILL "$(node_pid "${before%% *}" worker)"
	else
		psql -X -q -A -t "$E2E_PG_URL" -c "SELECT pg_terminate_backend(${before##* })" >/dev/null
	fi
	if until_true 10 taken_over "$before"; then took=$(( $(now_ms) - started )); else took=timeout; fi
	after=$(active_worker)
	echo "$kind ${before%% *} ${after%% *} $took" >> "$E2E_TMP/failovers"
}
chaos() {
	sleep 1.5
	failover kill
	sleep 1.5
	failover disconnect
	sleep 1
	e2e_pg_ctl stop -m immediate
	sleep 1
	e2e_pg_ctl start
	echo restarted >> "$E2E_TMP/postgresql-restarted"
	sleep 1.5
	kill -KILL "$REDIS_PID"
	sleep 0.5
	start_redis
	echo restarted >> "$E2E_TMP/redis-restarted"
}
: > "$E2E_TMP/failovers"
chaos > "$E2E_TMP/chaos.log" 2>&1 &
chaos_pid=$!
E2E_URL=${NODE_URL[a]} submit_battles 3 700 "$E2E_TMP/responses-a" a &
submit_a=$!
E2E_URL=${NODE_URL[b]} submit_battles 3 700 "$E2E_TMP/responses-b" b &
submit_b=$!
wait "$submit_a" "$submit_b"
wait "$chaos_pid"
REDIS_PID=$(cat "$REDIS_DIR/pid")
cat "$E2E_TMP/responses-a" "$E2E_TMP/responses-b" > "$E2E_TMP/responses"

standby_took_over=no
while read -r kind from to took; do
	case "$kind" in kill) what="killed (SIGKILL)" ;; *) what="cut off from PostgreSQL" ;; esac
	e2e_log "failover: the active worker (node $from) $what; node $to's worker took over after $took ms"
	check "failover after the $kind of the active worker within 5 s ($took ms)" \
		test "$took" != timeout -a "${took/timeout/99999}" -lt 5000
	[ "$from" = "$to" ] || standby_took_over=yes
done < "$E2E_TMP/failovers"
check "both failovers happened" test "$(wc -l < "$E2E_TMP/failovers")" = 2
check "the standby on the other node took over at least once" test "$standby_took_over" = yes
check "PostgreSQL was restarted" test -s "$E2E_TMP/postgresql-restarted"
check "Redis was restarted" test -s "$E2E_TMP/redis-restarted"

total=$(wc -l < "$E2E_TMP/responses")
accepted=$(grep -c '^202 ' "$E2E_TMP/responses")
e2e_log "$accepted of $total submissions accepted; the others saw PostgreSQL or Redis down"
check "every submission got an answer (202, 502 or 503)" test \
	"$(grep -cE '^(202|502|503) ' "$E2E_TMP/responses")" = "$total"
check "most submissions were accepted" test "$accepted" -gt $((total / 2))
grep '^202 ' "$E2E_TMP/responses" | cut -d' ' -f2 > "$E2E_TMP/accepted"
check "ids are unique across the nodes" test "$(sort "$E2E_TMP/accepted" | uniq -d | wc -l)" = 0

wait_for_drain 180
check "the backlog drains on the surviving workers" test $? = 0
check_battle_invariants "$E2E_TMP/accepted" "$gold" "$silver" "$(grep -c '^502 ' "$E2E_TMP/responses")" yes
check "no queued row is left behind" test "$(sql "SELECT count(*) FROM battles WHERE status = 'queued'")" = 0
check "both workers applied battles" test "$(grep -l 'battle [0-9]* done' "${E2E_WORKER_LOGS[@]}" | wc -l)" = 2
check "no responder of either node was restarted" test \
	"$(node_pid a responder-1) $(node_pid a responder-2) $(node_pid b responder-1) $(node_pid b responder-2)" = "$pids_before"
check "Redis runs (pid $REDIS_PID)" kill -0 "$REDIS_PID"
for name in "${NODES[@]}"; do
	E2E_URL=${NODE_URL[$name]}
	http GET /heartbeat
	expect_status 200 "node $name is healthy after it all"
done

stop_nodes
E2E_STATE=$E2E_TMP/node-b e2e_check_sanitizer_reports
E2E_STATE=$E2E_TMP/node-a
e2e_finish
