#!/bin/bash
# SPDX-License-Identifier: ISC
# test_docs — what the documentation, the man pages, the log rotation and the
# licence claim, checked against the code and each other:
# - the repository stands alone: nothing refers to files outside it;
# - docs/api.md lists exactly the operations of docs/openapi.yaml in its
#   route table, and every error code the responders (src/) and the nginx
#   site can answer, as openapi.yaml does;
# - the man pages format without a warning (lintian's check), have a NAME
#   line, name every PT_* setting the programs read, every admin command;
#   the exit statuses and signals they document are what the programs do;
# - debian/platform-test.logrotate rotates exactly the site's access log,
#   parses, and claims no file another rule (nginx's) claims;
# - the ISC licence: LICENSE, debian/copyright in DEP-5 form with the same
#   text, SPDX headers outside src/ and fuzz/.
. "$(dirname "$0")/lib.sh"

src=$PT_SRCDIR
man_dir=$PT_BUILDDIR/docs/man
api=$src/docs/api.md
openapi=$src/docs/openapi.yaml

# ---- the repository stands alone ----
# The files of the source tree, without what a build makes: git's tracked
# and new files when the tree is a git work tree's top; else (a tarball, and
# distcheck's copy) the files outside the build and install directories,
# without configure's output, test logs and what a .in template generates.
source_files() {
	if [ "$(git -C "$src" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$src" && pwd -P)" ]; then
		git -C "$src" ls-files -c -o --exclude-standard | sed "s|^|$src/|"
		return
	fi
	find "$src" \( -name .git -o -name autom4te.cache -o -name _build -o -name _inst -o -name .deps \
		-o -path "$src/fuzz/build" -o -path "$src/var" -o -path "$src/systemd/nginx-site" \) -prune \
		-o -type f ! -name Makefile ! -name config.status ! -name config.h ! -name config.log \
		! -name '*.log' ! -name '*.trs' -print | while IFS= read -r file; do
		[ -e "$file.in" ] || printf '%s\n' "$file"
	done
}
# (Bracketed so that this file does not match itself.)
outside='\.\./shared[/]|shared[/]API\.md|/work[/](main|wt-|shared)'
references=$(source_files | xargs -d '\n' grep -IEn "$outside" 2>/dev/null | head -n 10)
if [ -z "$references" ]; then
	pass "no file refers to files outside the repository"
else
	fail "no file refers to files outside the repository" "$references"
fi
check "the README points at docs/api.md" grep -q '(docs/api\.md)' "$src/README.md"

# ---- docs/api.md and the OpenAPI document ----
# openapi.yaml's operations, "METHOD /path", from its layout: paths at two
# spaces, methods at four (a layout change fails the count below).
openapi_operations=$(awk '/^  \/[^ ]*:$/ { path = substr($1, 1, length($1) - 1) }
	/^    (get|post|put|patch|delete):$/ && path { sub(":", "", $1); print toupper($1), path }' "$openapi" | sort -u)
# docs/api.md's "## Routes" table, "METHOD /path".
api_routes=$(awk '/^## Routes/ { on = 1; next } /^#/ { on = 0 }
	on && /^\| (GET|POST|PUT|PATCH|DELETE) \|/ { gsub(/ /, ""); split($0, cell, "|"); print cell[2], cell[3] }' "$api" | sort -u)
check "openapi.yaml lists the 11 operations of v1.1" test "$(grep -c . <<<"$openapi_operations")" -eq 11
if [ "$openapi_operations" = "$api_routes" ]; then
	pass "docs/api.md's route table is the operations of openapi.yaml"
else
	fail "docs/api.md's route table is the operations of openapi.yaml" \
		"$(diff <(echo "$openapi_operations") <(echo "$api_routes") | grep '^[<>]' | tr '\n' ' ')"
fi
for route in "DELETE /sessions/current" "DELETE /players/{id}/sessions" "PUT /players/{id}/password"; do
	check "docs/api.md documents the v1.1 route $route" grep -qF "| ${route% *} | ${route#* } |" "$api"
done
check "docs/api.md says what openapi.yaml does not cover" grep -q 'It does not describe the' "$api"

# Error codes: the responders' table (src/, wherever the file is), the
# nginx site's own answers, docs/api.md's tables, openapi.yaml's enum.
src_codes=$(grep -rhoE '\{[0-9]{3}, "[a-z_]+"' "$src/src" | sed 's/.*"\(.*\)"/\1/' | sort -u)
nginx_codes=$(grep -hoE '"code":"[a-z_]+"' "$src/nginx/platform-test.conf.in" | sed 's/.*:"\(.*\)"/\1/' | sort -u)
api_codes=$(grep -oE '^\| [0-9]{3} \| [a-z_]+ \|' "$api" | awk -F'|' '{ gsub(/ /, "", $3); print $3 }' | sort -u)
openapi_codes=$(sed -n '/^ *enum: \[bad_json/,/\]/p' "$openapi" | tr -d ' []' | sed 's/^enum://' | tr ',' '\n' | grep . | sort -u)
check "the responders answer error codes (src/)" test "$(grep -c . <<<"$src_codes")" -ge 10
check "the nginx site answers error codes" test "$(grep -c . <<<"$nginx_codes")" -ge 5
missing=$(comm -23 <(sort -u <<<"$src_codes"$'\n'"$nginx_codes" | grep .) <(echo "$api_codes"))
check "docs/api.md lists every error code of src/ and the nginx site${missing:+ (missing: $missing)}" test -z "$missing"
if [ "$api_codes" = "$openapi_codes" ]; then
	pass "docs/api.md and openapi.yaml list the same error codes"
else
	fail "docs/api.md and openapi.yaml list the same error codes" \
		"$(diff <(echo "$api_codes") <(echo "$openapi_codes") | grep '^[<>]' | tr '\n' ' ')"
fi

# ---- the man pages ----
programs="platform-test-responder platform-test-worker platform-test-admin"
settings=$(grep -rhoE '"PT_[A-Z_]+"' "$src/src" | tr -d '"' | sort -u)
check "the programs read PT_* settings (src/)" test "$(grep -c . <<<"$settings")" -ge 10
for program in $programs; do
	page=$man_dir/$program.8
	if ! check "$program.8 was generated" test -s "$page"; then continue; fi
	check "$program.8: no placeholder left" sh -c "! grep -q '@[A-Za-z_]*@' '$page'"
	if command -v man >/dev/null 2>&1; then
		# What lintian runs (its groff-message check, 120 columns wide:
		# distcheck's long install paths could not be adjusted in 80).
		warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=120 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
		check "$program.8 formats without warnings${warnings:+: $warnings}" test -z "$warnings"
	else
		skip "$program.8 formats without warnings" "man is not installed (Debian package man-db)"
	fi
	check "$program.8 has a NAME line for whatis" grep -qE "^$program \\\\- " "$page"
	for section in SYNOPSIS DESCRIPTION ENVIRONMENT 'EXIT STATUS' FILES 'SEE ALSO'; do
		check "$program.8 has $section" grep -qx "\\.SH \"\\?$section\"\\?" "$page"
	done
	undocumented=$(for setting in $settings; do grep -q "$setting" "$page" || printf '%s ' "$setting"; done)
	check "$program.8 names every PT_* setting the programs read${undocumented:+ (not: $undocumented)}" test -z "$undocumented"
done
# The CORS tool's page: a script with settings of its own, not the PT_* above.
page=$man_dir/platform-test-cors.8
if check "platform-test-cors.8 was generated" test -s "$page"; then
	check "platform-test-cors.8: no placeholder left" sh -c "! grep -q '@[A-Za-z_]*@' '$page'"
	check "platform-test-cors.8 has a NAME line for whatis" grep -qE "^platform-test-cors \\\\- " "$page"
	if command -v man >/dev/null 2>&1; then
		warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=120 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
		check "platform-test-cors.8 formats without warnings${warnings:+: $warnings}" test -z "$warnings"
	fi
	check "platform-test-cors.8 names PT_CORS_ORIGINS" grep -q PT_CORS_ORIGINS "$page"
fi
for setting in $settings; do
	check "the README's configuration names $setting" grep -q "$setting" "$src/README.md"
done
usage_file=$(grep -rl --include='*.c' 'usage: platform-test-admin' "$src/src" | head -n 1)
commands=$(grep -oE '^[[:space:]]*"  [a-z][a-z-]+' "$usage_file" 2>/dev/null | sed 's/.*"  //')
check "platform-test-admin's usage lists commands" test -n "$commands"
for command in $commands; do
	check "platform-test-admin.8 documents the command $command" \
		grep -qE "^\\.BI? \"?$command( |\"|$)" "$man_dir/platform-test-admin.8"
done

# What the pages say the programs do: exit statuses and signals.
bin=$PT_BUILDDIR
work=$E2E_TMP/programs
mkdir -p "$work"
# run_status PROGRAM ARGS...: runs it with a private database and no Redis;
# sets STATUS, OUT, ERR.
run_status() {
	env -i PATH="$PATH" PT_DB_PATH="$work/db.sqlite" PT_SQL_DIR="$src/sql" PT_REDIS_HOST=127.0.0.1 \
		PT_REDIS_PORT=9 ${RUN_ENV:-} "$bin/$1" "${@:2}" >"$work/out" 2>"$work/err"
	STATUS=$?
	OUT=$(cat "$work/out")
	ERR=$(cat "$work/err")
}
run_status platform-test-admin
check "admin without a command: usage on stderr, exit 2" test "$STATUS" = 2 -a -z "$OUT" -a -n "$ERR"
run_status platform-test-admin --help
check "admin --help: usage on stdout, exit 0" test "$STATUS" = 0 -a -n "$OUT"
run_status platform-test-admin no-such-command
check "admin with an unknown command: exit 2" test "$STATUS" = 2
run_status platform-test-admin migrate
check "admin migrate: exit 0" test "$STATUS" = 0
run_status platform-test-admin migrate
check "admin migrate again: exit 0" test "$STATUS" = 0
check "admin migrate again: up to date" grep -q 'up to date' "$work/out"
run_status platform-test-admin load-test-data 0
check "admin load-test-data 0: exit 2" test "$STATUS" = 2
RUN_ENV=PT_REDIS_PORT=0 run_status platform-test-admin no-such-command
check "an invalid setting wins over a usage error: exit 1" test "$STATUS" = 1
if command -v sqlite3 >/dev/null 2>&1; then
	sqlite3 "$work/db.sqlite" "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '999_future.sql', '2099-01-01T00:00:00Z')"
	run_status platform-test-admin migrate
	check "admin migrate on a database with an unknown migration: exit 3" test "$STATUS" = 3
	sqlite3 "$work/db.sqlite" "DELETE FROM schema_migrations WHERE version = 999"
else
	skip "admin migrate on a database with an unknown migration: exit 3" "sqlite3 is not installed"
fi
run_status platform-test-responder
check "the responder without secrets: exit 1" test "$STATUS" = 1
check "the responder without secrets says it refuses to start" grep -q 'refusing to start' "$work/err"
RUN_ENV=PT_WORKER_BATCH=0 run_status platform-test-worker
check "the worker with PT_WORKER_BATCH=0 refuses to start: exit 1" test "$STATUS" = 1

# stop PID: SIGTERM, then STOPPED is its exit status (or "running" when it
# did not stop within 5 s; it is killed then).
stop() {
	local tries
	kill -TERM "$1" 2>/dev/null
	for tries in $(seq 1 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		STOPPED=running
	else
		wait "$1"
		STOPPED=$?
	fi
}
# A worker without Redis keeps retrying; a second one waits as a standby.
env -i PATH="$PATH" PT_DB_PATH="$work/db.sqlite" PT_REDIS_HOST=127.0.0.1 PT_REDIS_PORT=9 \
	"$bin/platform-test-worker" >"$work/worker1.log" 2>&1 &
worker1=$!
for tries in $(seq 1 50); do
	grep -q 'started' "$work/worker1.log" 2>/dev/null && break
	sleep 0.1
done
env -i PATH="$PATH" PT_DB_PATH="$work/db.sqlite" PT_REDIS_HOST=127.0.0.1 PT_REDIS_PORT=9 \
	"$bin/platform-test-worker" >"$work/worker2.log" 2>&1 &
worker2=$!
for tries in $(seq 1 50); do
	grep -q 'standby: another worker is active' "$work/worker2.log" 2>/dev/null && break
	sleep 0.1
done
check "a second worker waits as a standby, saying so" grep -q 'standby: another worker is active' "$work/worker2.log"
stop "$worker2"
check "the waiting worker exits 0 on SIGTERM" test "$STOPPED" = 0
stop "$worker1"
check "the worker exits 0 on SIGTERM" test "$STOPPED" = 0
if command -v spawn-fcgi >/dev/null 2>&1; then
	env -i PATH="$PATH" PT_DB_PATH="$work/db.sqlite" PT_ADMIN_PASSWORD=admin-password-0123456789 \
		PT_JWT_SECRET=jwt-secret-0123456789abcdef PT_REDIS_HOST=127.0.0.1 PT_REDIS_PORT=9 \
		spawn-fcgi -n -s "$work/responder.sock" -- "$bin/platform-test-responder" >"$work/responder.log" 2>&1 &
	responder=$!
	for tries in $(seq 1 50); do
		[ -S "$work/responder.sock" ] && break
		sleep 0.1
	done
	check "the responder listens on the socket spawn-fcgi gave it" test -S "$work/responder.sock"
	# spawn-fcgi binds before it execs: wait until the responder catches
	# SIGTERM (bit 15 of SigCgt in /proc), i.e. it is past its start-up.
	for tries in $(seq 1 50); do
		caught=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$responder/status" 2>/dev/null)
		[ -n "$caught" ] && (( 0x$caught & (1 << 14) )) && break
		sleep 0.1
	done
	stop "$responder"
	check "the responder exits 0 on SIGTERM" test "$STOPPED" = 0
else
	skip "the responder exits 0 on SIGTERM" "spawn-fcgi is not installed"
fi

# ---- log rotation ----
rotate=$src/debian/platform-test.logrotate
site=$PT_BUILDDIR/systemd/nginx-site/platform-test
site_log=$(sed -n 's/^[[:space:]]*access_log \([^ ;]*\).*/\1/p' "$site" 2>/dev/null | grep -vx off | sort -u)
rotated=$(grep -E '^/' "$rotate" | sed 's/[[:space:]]*{$//')
check "the package's site has one access log ($site_log)" test "$(grep -c . <<<"$site_log")" = 1
check "the logrotate rule rotates exactly the site's access log ($rotated)" test "$rotated" = "$site_log"
check "the access log is outside /var/log/nginx, which nginx's own rule claims" \
	sh -c "case '$site_log' in /var/log/nginx/*) exit 1 ;; esac"
check "the rule has nginx reopen its logs after rotating" grep -q 'invoke-rc.d nginx rotate' "$rotate"
if command -v logrotate >/dev/null 2>&1; then
	# Debug mode: parses and plans, rotates nothing. With nginx's rule too
	# when there is one, as /etc/logrotate.d would read them. A copy, mode
	# 644 as installed: logrotate ignores a rule writable by others, and a
	# tree from `git archive` has 664.
	install -m 644 "$rotate" "$work/platform-test.logrotate"
	printf 'include %s\n' "$work/platform-test.logrotate" > "$work/logrotate.conf"
	[ ! -f /etc/logrotate.d/nginx ] || printf 'include /etc/logrotate.d/nginx\n' >> "$work/logrotate.conf"
	output=$(logrotate -d -s "$work/logrotate.state" "$work/logrotate.conf" 2>&1)
	errors=$(printf '%s\n' "$output" | grep -E '^error:' | head -n 5)
	check "logrotate reads the rule (with nginx's) without an error${errors:+: $errors}" test -z "$errors"
	check "logrotate plans the access log" grep -qF "considering log $site_log" <<<"$output"
else
	skip "logrotate reads the rule without an error" "logrotate is not installed (Debian package logrotate)"
fi

# ---- the licence ----
check "LICENSE is the ISC licence" grep -qx 'ISC License' "$src/LICENSE"
check "LICENSE: Copyright (c) 2026 Platform Test developers" \
	grep -qx 'Copyright (c) 2026 Platform Test developers' "$src/LICENSE"
copyright=$src/debian/copyright
check "debian/copyright is machine-readable (DEP-5)" \
	test "$(head -n 1 "$copyright")" = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/'
check "debian/copyright: Files: * is ISC, 2026 Platform Test developers" \
	sh -c "grep -A2 -x 'Files: \\*' '$copyright' | tr '\n' '|' | grep -q 'Copyright: 2026 Platform Test developers|License: ISC|'"
# The licence text: LICENSE's paragraphs after the copyright line, and the
# stand-alone License: ISC paragraph of debian/copyright, compared as words.
license_words=$(sed '1,/^Copyright/d' "$src/LICENSE" | tr -s ' \n' '\n\n' | grep .)
copyright_words=$(awk 'BEGIN { RS = "" } /^License: ISC\n/' "$copyright" | sed '1d; s/^ \.$//' | tr -s ' \n' '\n\n' | grep .)
if [ -n "$license_words" ] && [ "$license_words" = "$copyright_words" ]; then
	pass "debian/copyright carries LICENSE's text"
else
	fail "debian/copyright carries LICENSE's text" \
		"$(diff <(echo "$license_words") <(echo "$copyright_words") | grep '^[<>]' | head -n 5 | tr '\n' ' ')"
fi
# Every file outside src/ and fuzz/ that takes a comment has the SPDX header
# in its first lines.
spdx_files=$(cd "$src" && ls -d .ci/run .clang-tidy .cppcheck-suppressions .gitignore bootstrap configure.ac \
	*.md docs/*.md docs/openapi.yaml docs/man/*.in debian/control debian/rules debian/postinst debian/postrm \
	debian/*.logrotate debian/*.lintian-overrides mk/* nginx/* scripts/* sql/*/*.sql systemd/*.in \
	systemd/platform-test.env.sample systemd/*/*.conf* tests/*/*.sh tests/unit/*.c tests/bench/*.lua tests/bench/*.c 2>/dev/null)
check "there are files to carry SPDX headers" test "$(grep -c . <<<"$spdx_files")" -ge 60
without=$(for file in $spdx_files; do head -n 3 "$src/$file" | grep -q 'SPDX-License-Identifier: ISC' || printf '%s ' "$file"; done)
check "files outside src/ and fuzz/ carry SPDX-License-Identifier: ISC${without:+ (not: $without)}" test -z "$without"

e2e_finish
