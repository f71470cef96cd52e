#!/bin/bash
# SPDX-License-Identifier: ISC
# test_journal.sh — the responders and the worker logging to a real journal,
# as under systemd: a private systemd-journald in a private mount namespace
# (tmpfs over /run/systemd, /run/log and /var/log/journal, so the host's
# journal is never touched), and the programs started the way systemd starts
# them — stderr connected to journald's stream (systemd-cat) with
# JOURNAL_STREAM naming it. Checks:
#  - a failed authentication is one native entry with its MESSAGE_ID, the
#    fail2ban line as MESSAGE, ADDRESS and ROUTE fields, PRIORITY 6, and
#    SYSLOG_IDENTIFIER platform-test-responder (the filter's journalmatch);
#  - a 503 (Redis stopped) is an entry with its MESSAGE_ID, PRIORITY 3 and
#    the ERROR field; the worker's start is its event;
#  - the worker's per-battle lines still arrive, through the stream;
#  - nothing of this went to the log files (stderr is the journal).
# Skipped (77) without root, unshare (or a mount namespace it can make),
# systemd-journald or systemd-cat.
if [ -z "${PT_JOURNAL_NAMESPACE:-}" ]; then
	for tool in unshare systemd-cat journalctl /lib/systemd/systemd-journald; do
		command -v "$tool" >/dev/null 2>&1 || { echo "# $tool is missing: skipped"; exit 77; }
	done
	[ "$(id -u)" -eq 0 ] || { echo "# needs root (mount namespace, tmpfs): skipped"; exit 77; }
	# In a chroot whose root is no mount point the private namespace cannot
	# be made ("cannot change root filesystem propagation"): say so and skip.
	if ! reason=$(unshare --mount --propagation private true 2>&1); then
		echo "# no private mount namespace here ($reason): skipped"
		exit 77
	fi
	PT_JOURNAL_NAMESPACE=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

for dir in /run/systemd /run/log /var/log/journal; do
	mkdir -p "$dir" && mount -t tmpfs pt-e2e-journal "$dir" || { fail "tmpfs over $dir"; e2e_finish; exit 1; }
done
mkdir -p /run/systemd/journal
/lib/systemd/systemd-journald > "$E2E_TMP/journald.log" 2>&1 &
journald=$!
journal_teardown() {
	e2e_teardown
	kill -TERM "$journald" 2>/dev/null && wait "$journald" 2>/dev/null
}
trap journal_teardown EXIT
for _ in $(seq 1 100); do [ -S /run/systemd/journal/stdout ] && break; sleep 0.05; done

# The programs as systemd runs them: stderr on a journal stream and
# JOURNAL_STREAM its device:inode (spawn-fcgi's socket stays on fd 0).
wrappers=$E2E_TMP/bin
mkdir -p "$wrappers"
ln -s "$PT_BUILDDIR/platform-test-admin" "$wrappers/platform-test-admin"
for program in responder worker; do
	cat > "$wrappers/platform-test-$program" <<EOF
#!/bin/bash
exec systemd-cat -t platform-test-$program bash -c 'JOURNAL_STREAM=\$(stat -L -c %d:%i /proc/\$\$/fd/2) exec "$PT_BUILDDIR/platform-test-$program"'
EOF
	chmod +x "$wrappers/platform-test-$program"
done
REAL_BUILDDIR=$PT_BUILDDIR
PT_BUILDDIR=$wrappers e2e_start_stack 2 || exit 1
PT_BUILDDIR=$REAL_BUILDDIR

entry() {	# entry MESSAGE_ID: the newest journal entry with that id, as JSON
	journalctl --no-pager -o json MESSAGE_ID="$1" 2>/dev/null | tail -n 1
}
field() {	# field JSON NAME
	jq -r --arg name "$2" '.[$name] // empty' <<< "$1"
}
wait_entry() {	# wait_entry MESSAGE_ID: waits up to 3 s for one
	local tries
	for tries in $(seq 1 30); do
		[ -n "$(entry "$1")" ] && return 0
		sleep 0.1
	done
	return 1
}

alice=$(create_player journal-alice '"password":"alice-password"') || exit 1
http GET "/players/$alice" -u "journal-alice:wrong-password"
expect_status 401 "a wrong password"
auth_id=28cb3c729bd446a8afd5ccb1434d120a
check "the failed authentication reached the journal with its MESSAGE_ID" wait_entry "$auth_id"
auth=$(entry "$auth_id")
check "MESSAGE is the fail2ban line" grep -qE '^auth failure: address=127\.0\.0\.1 route="GET /players/[0-9]+" time=[0-9T:Z-]+$' \
	<<< "$(field "$auth" MESSAGE)"
expect_equal "$(field "$auth" ADDRESS)" 127.0.0.1 "ADDRESS field" "ADDRESS"
expect_equal "$(field "$auth" ROUTE)" "GET /players/$alice" "ROUTE field" "ROUTE"
expect_equal "$(field "$auth" PRIORITY)" 6 "PRIORITY 6" "PRIORITY"
expect_equal "$(field "$auth" SYSLOG_IDENTIFIER)" platform-test-responder "SYSLOG_IDENTIFIER (fail2ban's journalmatch)" \
	"SYSLOG_IDENTIFIER"
expect_equal "$(field "$auth" _TRANSPORT)" journal "sent natively, not as a stream line" "_TRANSPORT"

kill -STOP "$(e2e_pid redis)"
http GET /leaderboard -u "$E2E_ADMIN"
kill -CONT "$(e2e_pid redis)"
expect_status 503 "GET /leaderboard with Redis stopped"
unavailable_id=c3f4742888e94022900b6d13d0b2fd2a
check "the 503 reached the journal with its MESSAGE_ID" wait_entry "$unavailable_id"
unavailable=$(entry "$unavailable_id")
expect_equal "$(field "$unavailable" PRIORITY)" 3 "... at PRIORITY 3 (journalctl -p err finds it)" "PRIORITY"
check "... with the Redis error in ERROR" grep -q '^redis' <<< "$(field "$unavailable" ERROR)"
check "the worker's start is its event" wait_entry 2a5bcdfb193f44909202a6e225882d4b
expect_equal "$(field "$(entry 2a5bcdfb193f44909202a6e225882d4b)" SYSLOG_IDENTIFIER)" platform-test-worker \
	"... from platform-test-worker" "SYSLOG_IDENTIFIER"

bob=$(create_player journal-bob) || exit 1
json POST /battles "{\"attacker_id\":$alice,\"defender_id\":$bob}" -u "$E2E_ADMIN"
battle=$(jq_body .id)
streamed() {
	local tries
	for tries in $(seq 1 50); do
		journalctl --no-pager -o cat SYSLOG_IDENTIFIER=platform-test-worker _TRANSPORT=stdout 2>/dev/null |
			grep -q "battle $battle done" && return 0
		sleep 0.1
	done
	return 1
}
check "the worker's battle lines arrive through its stream" streamed
check "no auth failure line went to the responders' log file" \
	bash -c "! grep -q 'auth failure' '$E2E_STATE/log/responder.log'"

e2e_finish
