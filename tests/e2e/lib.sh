# SPDX-License-Identifier: ISC
# lib.sh — the end-to-end harness, sourced by every tests/e2e/test_*.sh.
# It starts the real stack (scripts/pt-stack: redis-server, spawn-fcgi
# responders, the worker, nginx) in a temporary directory on a free loopback
# port, talks HTTP to nginx with curl, and tears everything down by pid on
# exit, also when a test fails or is interrupted.
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

# e2e_start_stack [responders]: starts pt-stack and waits for a healthy heartbeat.
e2e_start_stack() {
	local responders=${1:-2} port tries
	E2E_STATE=$E2E_TMP/state
	port=$(e2e_free_port) || { echo "no free port" >&2; return 1; }
	E2E_URL="http://127.0.0.1:$port"
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
