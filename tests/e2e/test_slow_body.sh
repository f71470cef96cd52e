#!/bin/bash
# SPDX-License-Identifier: ISC
# test_slow_body.sh — a slow-body attack, scaled down but real, on loopback:
# 40 connections from 127.0.0.2 each send a whole POST header and then one
# body byte every 4 s (tests/e2e/slow_client.pl, at most 14 s). The
# installed site's limits (on here, PT_RATE_LIMIT=1) must hold: one address
# keeps at most 32 requests in progress (the rest are answered 429 at once),
# every slow body is cut at its first gap over client_body_timeout (3 s), so
# none is open when the attacker stops, and clients at another address are
# served throughout.
. "$(dirname "$0")/lib.sh"

export PT_RATE_LIMIT=1
CONNECTIONS=40
PER_ADDRESS=32

e2e_start_stack 2 || exit 1
port=${E2E_URL##*:}
alice=$(create_player alice) || exit 1

perl "$PT_SRCDIR/tests/e2e/slow_client.pl" "$port" 127.0.0.2 "$CONNECTIONS" 4 14 100 /players \
	> "$E2E_TMP/slow" 2> "$E2E_TMP/slow.err" &
attacker=$!
sleep 1.5
# While the attacker holds its connections: another address is served.
http GET /heartbeat
expect_status 200 "during the attack: the heartbeat from another address"
http GET "/players/$alice" -u "$E2E_ADMIN"
expect_status 200 "during the attack: a read from another address"
json POST /players '{"name":"during-the-attack"}' -u "$E2E_ADMIN"
expect_status 201 "during the attack: a create from another address"
wait "$attacker"
check "the attacker ran (${CONNECTIONS} connections)" test "$(wc -l < "$E2E_TMP/slow")" = "$CONNECTIONS"
[ -s "$E2E_TMP/slow.err" ] && e2e_log "slow_client: $(head -c 300 "$E2E_TMP/slow.err")"

refused=$(awk '$2 == 429' "$E2E_TMP/slow" | wc -l)
check "connections over $PER_ADDRESS per address are refused with 429 ($refused of $CONNECTIONS)" \
	test "$refused" -eq $((CONNECTIONS - PER_ADDRESS))
still_open=$(awk '$3 == "open"' "$E2E_TMP/slow" | wc -l)
check "no slow body is still open when the attacker stops after 14 s ($still_open open)" test "$still_open" = 0
# The first gap (4 s) is over the 3 s timeout: each is cut long before the
# dribble would end. Generous: within 10 s of the start.
late=$(awk '$3 != "open" && $3 > 10' "$E2E_TMP/slow" | wc -l)
check "every slow body is cut within 10 s ($late later)" test "$late" = 0
e2e_log "closed at (s): $(awk '{ print $3 }' "$E2E_TMP/slow" | sort -n | uniq -c | tr '\n' ' ' | tr -s ' ')"
timed_out=$(grep -c '"status":408' "$E2E_STATE/log/access.log")
check "nginx logged each cut body as a 408 ($timed_out)" test "$timed_out" -eq "$PER_ADDRESS"

http GET /heartbeat
expect_status 200 "after the attack: the heartbeat"
check "nothing was created by the attack" test \
	"$(sqlite3 "$E2E_STATE/platform-test.db" 'SELECT count(*) FROM players')" = 2

e2e_finish
