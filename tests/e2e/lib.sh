# SPDX-License-Identifier: ISC
# lib.sh — the end-to-end harness, sourced by every tests/e2e/test_*.sh.
# It starts the real stack (scripts/pt-stack: redis-server, spawn-fcgi
# responders, the worker, nginx) in a temporary directory on a free loopback
# port, talks HTTP to nginx with curl, and tears everything down by pid on
# exit, also when a test fails or is interrupted.
#
# E2E_BACKEND=postgresql runs the same suites on PostgreSQL: the harness
# starts a private server from Debian's binaries (initdb, pg_ctl) in a
# temporary directory, listening on a unix socket there and on a free
# loopback port, as an unprivileged user (PostgreSQL refuses root), and the
# stack gets PT_DATABASE_URL. `sql`, `e2e_dump` and `e2e_admin` speak to
# whichever store runs. Default: sqlite.
#
# Checks count instead of aborting, so one run reports every failure; the
# last line is "N passed, M failed, K skipped" and the exit status is 0 only
# if M is 0. A part that needs a tool which cannot be had (from npm, say)
# reports `skip` lines instead of checks; a file whose every part skipped
# exits 77, automake's SKIP.
set -u

: "${PT_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${PT_BUILDDIR:=$PT_SRCDIR}"
export PT_SRCDIR PT_BUILDDIR
PATH=$PATH:/usr/sbin:/sbin

E2E_BACKEND=${E2E_BACKEND:-sqlite}
case "$E2E_BACKEND" in sqlite|postgresql) ;; *) echo "E2E_BACKEND must be sqlite or postgresql" >&2; exit 2 ;; esac
E2E_PG_BIN=${PT_PG_BIN:-/usr/lib/postgresql/15/bin}
E2E_PG_DIR=""
E2E_PG_URL=""
E2E_PASSED=0
E2E_FAILED=0
E2E_SKIPPED=0
E2E_STACK_PID=""
E2E_STATE=""
E2E_URL=""
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pt-e2e.XXXXXX")
E2E_ADMIN_PASSWORD="admin-password-for-tests-$$"
E2E_JWT_SECRET="jwt-secret-for-tests-0123456789abcdef-$$"
export PT_ADMIN_PASSWORD=$E2E_ADMIN_PASSWORD PT_JWT_SECRET=$E2E_JWT_SECRET
E2E_ADMIN="admin:$E2E_ADMIN_PASSWORD"

e2e_log() {
	printf '# %s\n' "$*"
}

pass() {
	E2E_PASSED=$((E2E_PASSED + 1))
	printf 'ok %d - %s\n' "$((E2E_PASSED + E2E_FAILED + E2E_SKIPPED))" "$1"
}

fail() {
	E2E_FAILED=$((E2E_FAILED + 1))
	printf 'not ok %d - %s\n' "$((E2E_PASSED + E2E_FAILED + E2E_SKIPPED))" "$1"
	[ -z "${2:-}" ] || printf '#   %s\n' "$2"
}

# skip DESCRIPTION REASON: a check that could not run, and why (TAP's SKIP).
skip() {
	E2E_SKIPPED=$((E2E_SKIPPED + 1))
	printf 'ok %d - %s # SKIP %s\n' "$((E2E_PASSED + E2E_FAILED + E2E_SKIPPED))" "$1" "$2"
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local description=$1
	shift
	if "$@"; then pass "$description"; else fail "$description" "command failed: $*"; fi
}

# A port below the kernel's ephemeral range: one inside it can be taken by
# an outgoing connection between this check and nginx's bind.
e2e_free_port() {
	local port tries low=32768
	read -r low _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null
	[ "$low" -gt 11000 ] || low=32768
	for tries in $(seq 1 50); do
		port=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# ---- PostgreSQL ----------------------------------------------------------------
# As whom the server runs: ourselves, or (as root, which PostgreSQL refuses)
# the unprivileged user nobody.
e2e_pg_as() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

E2E_PG_PASSWORD="pg-password-for-tests-$$"

# e2e_start_postgresql: initdb, a self-signed certificate (ssl on), and
# pg_ctl start in a directory of its own (owned by the server's user; the
# harness's own temporary directory is private to it). Sets E2E_PG_DIR,
# E2E_PG_PORT, E2E_PG_SOCKET, E2E_PG_URL (the superuser, on the socket) and
# E2E_DATABASE_URL (the application's role platform_test, owner of the
# database platform_test, with a password). E2E_PG_CONF: more lines for
# postgresql.conf (experiments). Safe to call twice.
e2e_start_postgresql() {
	[ -z "$E2E_PG_DIR" ] || return 0
	[ -x "$E2E_PG_BIN/initdb" ] || { echo "no PostgreSQL in $E2E_PG_BIN: run ./bootstrap as root" >&2; return 1; }
	E2E_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pt-e2e-pg.XXXXXX") || return 1
	E2E_PG_SOCKET=$E2E_PG_DIR
	E2E_PG_PORT=$(e2e_free_port) || return 1
	[ "$(id -u)" -ne 0 ] || chown nobody:nogroup "$E2E_PG_DIR"
	chmod 700 "$E2E_PG_DIR"
	if ! e2e_pg_as "$E2E_PG_BIN/initdb" -D "$E2E_PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 -N \
		> "$E2E_PG_DIR/initdb.log" 2>&1; then
		cat "$E2E_PG_DIR/initdb.log" >&2
		return 1
	fi
	e2e_pg_as openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=127.0.0.1 -keyout "$E2E_PG_DIR/data/server.key" -out "$E2E_PG_DIR/data/server.crt" \
		>/dev/null 2>&1 || return 1
	e2e_pg_as chmod 600 "$E2E_PG_DIR/data/server.key" || return 1
	# The socket trusts (the harness is its only user); TCP wants the password.
	e2e_pg_as sh -c "cat > '$E2E_PG_DIR/data/pg_hba.conf'" <<-HBA
		local all all trust
		host all all 127.0.0.0/8 scram-sha-256
		HBA
	# fsync off: the tests kill processes, never the machine; what a process
	# wrote is in the OS's cache either way. Everything else as shipped.
	e2e_pg_as sh -c "cat >> '$E2E_PG_DIR/data/postgresql.conf'" <<-CONF
		listen_addresses = '127.0.0.1'
		port = $E2E_PG_PORT
		unix_socket_directories = '$E2E_PG_SOCKET'
		max_connections = 200
		fsync = off
		ssl = on
		logging_collector = off
		log_min_messages = warning
		log_line_prefix = '%m [%p] %a '
		${E2E_PG_CONF:-}
		CONF
	e2e_pg_ctl start || return 1
	E2E_PG_URL="postgresql://postgres@/postgres?host=$E2E_PG_SOCKET&port=$E2E_PG_PORT"
	psql -X -q -v ON_ERROR_STOP=1 "$E2E_PG_URL" \
		-c "CREATE ROLE platform_test LOGIN PASSWORD '$E2E_PG_PASSWORD'" \
		-c "CREATE DATABASE platform_test OWNER platform_test" >/dev/null || return 1
	E2E_DATABASE_URL="postgresql://platform_test@/platform_test?host=$E2E_PG_SOCKET&port=$E2E_PG_PORT"
}

# e2e_pg_fresh_database: the application's database dropped (its sessions
# ended) and created again, empty; for a second stack on the same server.
e2e_pg_fresh_database() {
	psql -X -q -v ON_ERROR_STOP=1 "$E2E_PG_URL" -c "DROP DATABASE IF EXISTS platform_test WITH (FORCE)" \
		-c "CREATE DATABASE platform_test OWNER platform_test" >/dev/null
}

# e2e_pg_ctl start|stop|restart [pg_ctl options]: the server in E2E_PG_DIR.
e2e_pg_ctl() {
	local action=$1
	shift
	e2e_pg_as "$E2E_PG_BIN/pg_ctl" -D "$E2E_PG_DIR/data" -l "$E2E_PG_DIR/postgresql.log" -w -t 60 "$action" "$@" \
		>/dev/null 2>&1 || { echo "pg_ctl $action failed:" >&2; tail -n 20 "$E2E_PG_DIR/postgresql.log" >&2; return 1; }
}

e2e_stop_postgresql() {
	[ -n "$E2E_PG_DIR" ] || return 0
	[ -f "$E2E_PG_DIR/data/postmaster.pid" ] && e2e_pg_ctl stop -m immediate
	rm -rf "$E2E_PG_DIR"
	E2E_PG_DIR=""
}

# The schema, as pg_dump prints it without its per-run random \restrict key.
e2e_pg_schema() {
	"$E2E_PG_BIN/pg_dump" --schema-only --no-owner "$E2E_DATABASE_URL" | grep -v -E '^\\(un)?restrict '
}

# psql as the application's role, one value per line, no headers.
e2e_psql() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 "$E2E_DATABASE_URL" "$@"
}

# ---- whichever store runs -------------------------------------------------------
# sql QUERY: runs one query against the stack's store; rows as lines, columns
# separated by '|'.
sql() {
	if [ "$E2E_BACKEND" = postgresql ]; then
		e2e_psql -c "$1"
	else
		sqlite3 "$E2E_STATE/platform-test.db" "$1"
	fi
}

# e2e_dump: the whole store as text (schema and every row in key order), to
# compare before and after. On PostgreSQL the sequences are left out: a
# refused insert still uses up a value (ids may skip one; README).
e2e_dump() {
	if [ "$E2E_BACKEND" = sqlite ]; then
		sqlite3 "$E2E_STATE/platform-test.db" .dump
		return
	fi
	e2e_pg_schema
	local table
	for table in $(e2e_psql -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"); do
		echo "-- $table"
		e2e_psql -c "COPY (SELECT * FROM $table ORDER BY 1, 2) TO STDOUT"
	done
}

# e2e_redis ARGS...: redis-cli against the stack's Redis (its private socket,
# unless a test set E2E_REDIS_ARGS for a Redis of its own).
E2E_REDIS_ARGS=()
e2e_redis() {
	if [ "${#E2E_REDIS_ARGS[@]}" -gt 0 ]; then
		redis-cli "${E2E_REDIS_ARGS[@]}" "$@"
	else
		redis-cli -s "$E2E_STATE/run/redis.sock" "$@"
	fi
}

# e2e_admin ARGS...: platform-test-admin against the stack's store.
e2e_admin() {
	PT_DB_PATH=$E2E_STATE/platform-test.db PT_SQL_DIR=$PT_SRCDIR/sql \
		PT_DATABASE_URL=$([ "$E2E_BACKEND" = postgresql ] && echo "$E2E_DATABASE_URL") \
		PT_REDIS_SOCKET=$E2E_STATE/run/redis.sock "$PT_BUILDDIR/platform-test-admin" "$@"
}

# e2e_start_stack [responders]: starts pt-stack and waits for a healthy heartbeat.
e2e_start_stack() {
	local responders=${1:-2} port tries database_url=""
	E2E_STATE=$E2E_TMP/state
	if [ "$E2E_BACKEND" = postgresql ]; then
		e2e_start_postgresql || { echo "PostgreSQL did not start" >&2; return 1; }
		database_url=$E2E_DATABASE_URL
	fi
	port=$(e2e_free_port) || { echo "no free port" >&2; return 1; }
	E2E_URL="http://127.0.0.1:$port"
	PT_DATABASE_URL=$database_url \
	PT_STATE_DIR=$E2E_STATE PT_PORT=$port PT_RESPONDERS=$responders PT_BIN_DIR=$PT_BUILDDIR \
		PT_SRCDIR=$PT_SRCDIR PT_WORKER_THREADS=${PT_WORKER_THREADS:-2} \
		bash "$PT_SRCDIR/scripts/pt-stack" > "$E2E_TMP/stack.log" 2>&1 &
	E2E_STACK_PID=$!
	for tries in $(seq 1 200); do
		if curl -sf -o /dev/null "$E2E_URL/heartbeat"; then
			return 0
		fi
		if ! kill -0 "$E2E_STACK_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "the stack did not become healthy; its log:" >&2
	cat "$E2E_TMP/stack.log" >&2
	tail -n 20 "$E2E_STATE"/log/*.log >&2 2>/dev/null
	return 1
}

e2e_pid() {
	cat "$E2E_STATE/run/$1.pid" 2>/dev/null
}

# e2e_responder_sockets: one line "STATE RECV-Q INDEX INODE" per unix socket
# whose local address is a responder's (its listening socket, and its ends of
# the connections nginx keeps to it), from ss.
e2e_responder_sockets() {
	ss -xaH 2>/dev/null | awk -v dir="$E2E_STATE/run/responder-" \
		'index($5, dir) == 1 { number = substr($5, length(dir) + 1); sub("\\.sock$", "", number); print $2, $3, number, $6 }'
}

# Stops the stack by pid: pt-stack first (it stops its children), then any
# child it left behind.
e2e_stop_stack() {
	local tries pid_file
	if [ -n "$E2E_STACK_PID" ] && kill -0 "$E2E_STACK_PID" 2>/dev/null; then
		kill -TERM "$E2E_STACK_PID" 2>/dev/null
		for tries in $(seq 1 100); do
			kill -0 "$E2E_STACK_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$E2E_STACK_PID" 2>/dev/null
		wait "$E2E_STACK_PID" 2>/dev/null
	fi
	E2E_STACK_PID=""
	for pid_file in "$E2E_STATE"/run/*.pid; do
		[ -f "$pid_file" ] || continue
		kill -KILL "$(cat "$pid_file")" 2>/dev/null
		rm -f "$pid_file"
	done
}

e2e_teardown() {
	e2e_stop_stack
	if [ "$E2E_FAILED" -gt 0 ] && [ -n "$E2E_STATE" ]; then
		e2e_log "logs of the failed run:"
		tail -n 30 "$E2E_STATE"/log/*.log 2>/dev/null | sed 's/^/# /'
	fi
	if [ "$E2E_FAILED" -gt 0 ] && [ -n "$E2E_PG_DIR" ]; then
		e2e_log "PostgreSQL's log:"
		tail -n 30 "$E2E_PG_DIR/postgresql.log" 2>/dev/null | sed 's/^/# /'
	fi
	e2e_stop_postgresql
	rm -rf "$E2E_TMP"
}
trap e2e_teardown EXIT
trap 'exit 130' INT TERM

# http METHOD PATH [curl options...]: sets STATUS, BODY, HEADERS (a file).
HEADERS=$E2E_TMP/headers
http() {
	local method=$1 path=$2
	shift 2
	BODY=$(curl -s -X "$method" -D "$HEADERS" -o - -w '\n%{http_code}' "$@" "$E2E_URL$path")
	STATUS=${BODY##*$'\n'}
	BODY=${BODY%$'\n'*}
}

# now_ms: the wall clock in milliseconds.
now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# until_true SECONDS COMMAND...: polls every 0.1 s.
until_true() {
	local deadline=$(( $(now_ms) + $1 * 1000 ))
	shift
	while [ "$(now_ms)" -lt "$deadline" ]; do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# json METHOD PATH BODY [curl options...]: a POST/PUT with a JSON body.
json() {
	local method=$1 path=$2 body=$3
	shift 3
	http "$method" "$path" -H 'Content-Type: application/json' --data-binary "$body" "$@"
}

header() {
	grep -i "^$1:" "$HEADERS" | head -n 1 | cut -d: -f2- | sed 's/^ *//; s/\r$//'
}

jq_body() {
	printf '%s' "$BODY" | jq -r "$1" 2>/dev/null
}

# expect_equal ACTUAL EXPECTED DESCRIPTION WHAT: the one comparison behind
# the expect_* helpers; WHAT says where ACTUAL came from when it differs.
expect_equal() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "$4: expected '$2', got '$1'"
	fi
}

expect_status() {
	expect_equal "$STATUS" "$1" "$2: $1" "status, body $(printf '%s' "$BODY" | head -c 400)"
}

expect_json() {
	expect_equal "$(jq_body "$1")" "$2" "$3" "$1 in $(printf '%s' "$BODY" | head -c 400)"
}

expect_header() {
	expect_equal "$(header "$1")" "$2" "$3" "$1"
}

# The contract's error body: status, code, message, and fields only for 422.
expect_error() {
	local status=$1 code=$2 description=$3
	expect_status "$status" "$description"
	if printf '%s' "$BODY" | jq -e --argjson s "$status" --arg c "$code" \
		'.error.status == $s and .error.code == $c and (.error.message | type == "string")
		 and ((.error | has("fields")) == ($s == 422))' >/dev/null 2>&1 &&
	   [ "$(header Content-Type)" = "application/json" ]; then
		pass "$description: error body $code"
	else
		fail "$description: error body $code" "body: $(printf '%s' "$BODY" | head -c 400), type $(header Content-Type)"
	fi
}

# create_player NAME [extra JSON fields]: as admin; prints the new id.
create_player() {
	local name=$1 extra=${2:-}
	json POST /players "{\"name\":\"$name\"${extra:+,$extra}}" -u "$E2E_ADMIN"
	[ "$STATUS" = 201 ] || { echo "create_player $name: $STATUS $BODY" >&2; return 1; }
	jq_body .id
}

# session NAME PASSWORD: prints a bearer token.
session() {
	http POST /sessions -u "$1:$2"
	[ "$STATUS" = 201 ] || { echo "session $1: $STATUS $BODY" >&2; return 1; }
	jq_body .token
}

# Stops the stack (so programs built with sanitizers run their exit-time leak
# checks), then fails the run on any sanitizer report in the logs.
e2e_check_sanitizer_reports() {
	local pattern='ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer'
	e2e_stop_stack
	[ -n "$E2E_STATE" ] || return 0
	if grep -qE "$pattern" "$E2E_STATE"/log/*.log 2>/dev/null; then
		fail "no sanitizer report in the programs' logs" \
			"$(grep -hE -A12 "$pattern" "$E2E_STATE"/log/*.log | head -n 40 | tr '\n' '|')"
	else
		pass "no sanitizer report in the programs' logs"
	fi
}

# The summary and the exit status: 1 on any failure; 77 (SKIP) when nothing
# ran but skips; else 0.
e2e_finish() {
	e2e_check_sanitizer_reports
	echo "$E2E_PASSED passed, $E2E_FAILED failed, $E2E_SKIPPED skipped"
	[ "$E2E_FAILED" -eq 0 ] || return 1
	if [ "$E2E_PASSED" -eq 0 ] && [ "$E2E_SKIPPED" -gt 0 ]; then
		exit 77
	fi
	return 0
}
