#!/bin/bash
# SPDX-License-Identifier: ISC
# test_operations — the installable parts, without installing anything:
# the nginx site as the package installs it passes `nginx -t`; the systemd
# units pass `systemd-analyze verify` and `systemd-analyze security` rates the
# responder and the worker 2.0 or lower; the units agree with the site; the
# OpenAPI document validates; the Postman files and maintainer scripts parse.
# A part whose tool cannot be had (systemd-analyze not installable,
# swagger-cli not installable from npm) is reported as skipped and the other
# parts decide.
. "$(dirname "$0")/lib.sh"
. "$PT_SRCDIR/tests/package/npm-tool.sh"

units_dir=$PT_BUILDDIR/systemd
site=$PT_BUILDDIR/systemd/nginx-site/platform-test
responders=$(grep -c '^[[:space:]]*server unix:' "$site" 2>/dev/null)

# unit_values FILE KEY: the values of KEY= in FILE, one a line.
unit_values() {
	sed -n "s/^$2=//p" "$1"
}

# ---- the nginx site of the package ----
check "the package's nginx site was built" test -s "$site"
check "it lists the responder sockets" test "${responders:-0}" -ge 1
if grep -v '^[[:space:]]*#' "$site" | grep -q '@[A-Z_]*@'; then fail "no placeholder left in the site" "$(grep -v '^[[:space:]]*#' "$site" | grep '@[A-Z_]*@')"; else pass "no placeholder left in the site"; fi
expect_line() {
	if grep -Eq "$1" "$site"; then pass "site: $2"; else fail "site: $2" "no line matching $1"; fi
}
expect_line '^[[:space:]]*listen 80;' "listens on port 80"
expect_line 'server unix:/run/platform-test/responder-1\.sock' "passes to /run/platform-test/responder-N.sock"
expect_line 'access_log /var/log/platform-test/access\.log platform_test_json;' "logs JSON lines to /var/log/platform-test/access.log"
expect_line '^map "1" \$platform_test_sessions_key' "rate limits are on"
expect_line 'client_max_body_size 64k;' "bodies are limited to 64 KiB"
if command -v nginx >/dev/null 2>&1; then
	mkdir -p "$E2E_TMP/nginx/logs"
	# The same file, with only its log path moved so the check writes nothing
	# under /var/log.
	sed "s|/var/log/platform-test/access.log|$E2E_TMP/nginx/logs/access.log|" "$site" > "$E2E_TMP/nginx/platform-test"
	cat > "$E2E_TMP/nginx/nginx.conf" <<CONF
pid $E2E_TMP/nginx/nginx.pid;
error_log $E2E_TMP/nginx/logs/error.log;
events {}
http {
	client_body_temp_path $E2E_TMP/nginx/body;
	fastcgi_temp_path $E2E_TMP/nginx/fastcgi;
	proxy_temp_path $E2E_TMP/nginx/proxy;
	uwsgi_temp_path $E2E_TMP/nginx/uwsgi;
	scgi_temp_path $E2E_TMP/nginx/scgi;
	include $E2E_TMP/nginx/platform-test;
}
CONF
	if output=$(nginx -t -p "$E2E_TMP/nginx" -c "$E2E_TMP/nginx/nginx.conf" -e "$E2E_TMP/nginx/logs/error.log" 2>&1); then
		pass "nginx -t passes on the package's site"
	else
		fail "nginx -t passes on the package's site" "$output"
	fi
else
	fail "nginx is installed (run ./bootstrap)"
fi

# ---- the systemd units ----
for unit in platform-test-migrate.service platform-test-responder@.service platform-test-worker.service platform-test-redis.service platform-test.target; do
	check "unit $unit was built" test -s "$units_dir/$unit"
done
responder_unit=$units_dir/platform-test-responder@.service
worker_unit=$units_dir/platform-test-worker.service
redis_unit=$units_dir/platform-test-redis.service
migrate_unit=$units_dir/platform-test-migrate.service
target_unit=$units_dir/platform-test.target
check "the responder runs spawn-fcgi -n on its instance's socket" \
	grep -Eq '^ExecStart=/[^ ]*spawn-fcgi -n -s /run/platform-test/responder-%i\.sock .* -- /[^ ]*/platform-test-responder$' "$responder_unit"
for unit in "$responder_unit" "$worker_unit" "$migrate_unit"; do
	name=$(basename "$unit")
	check "$name: User=platform-test" test "$(unit_values "$unit" User)" = platform-test
	check "$name: EnvironmentFile under /etc/platform-test" \
		grep -Eq '^EnvironmentFile=.*/platform-test/platform-test\.env$' "$unit"
	check "$name: StateDirectory=platform-test" test "$(unit_values "$unit" StateDirectory)" = platform-test
done
for unit in "$responder_unit" "$worker_unit"; do
	check "$(basename "$unit"): Restart=on-failure" test "$(unit_values "$unit" Restart)" = on-failure
	check "$(basename "$unit"): runs after the migrations" \
		grep -q '^Requires=platform-test-migrate.service' "$unit"
done
check "the migrations are a oneshot" test "$(unit_values "$migrate_unit" Type)" = oneshot
wanted=$(unit_values "$target_unit" Wants | tr ' ' '\n' | grep -c '^platform-test-responder@[0-9]*\.service$')
check "the target starts as many responders as the site lists ($responders)" test "$wanted" = "$responders"
check "the target starts the worker" grep -q '^Wants=.*platform-test-worker\.service' "$target_unit"
check "tmpfiles.d makes /run/platform-test setgid for nginx's group" \
	grep -Eq '^d /run/platform-test 2750 platform-test [a-z-]+ -$' "$units_dir/tmpfiles.d/platform-test.conf"

if ! command -v systemd-analyze >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	e2e_log "installing systemd (for systemd-analyze)"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends systemd >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends systemd >/dev/null 2>&1; }
fi
if ! command -v systemd-analyze >/dev/null 2>&1; then
	skip "systemd-analyze verify and security on the units" "systemd-analyze is missing (Debian package systemd)"
else
	# A root holding the units, the programs their ExecStart= lines name (the
	# ones just built) and the system's own units (for sysinit.target & co),
	# so verify can check everything a real install would have.
	root=$E2E_TMP/root
	mkdir -p "$root/etc/systemd/system" "$root/lib/systemd"
	cp -r /lib/systemd/system "$root/lib/systemd/" 2>/dev/null
	cp "$migrate_unit" "$responder_unit" "$worker_unit" "$redis_unit" "$target_unit" "$root/etc/systemd/system/"
	for program in $(sed -n 's/^ExecStart=[-@:+!]*//p' "$migrate_unit" "$responder_unit" "$worker_unit" "$redis_unit" | tr ' ' '\n' | grep -E '^/.*/s?bin/' | sort -u); do
		mkdir -p "$root$(dirname "$program")"
		case "$(basename "$program")" in
		platform-test-*) source_program=$PT_BUILDDIR/$(basename "$program") ;;
		*) source_program=$program ;;
		esac
		if [ -x "$source_program" ]; then
			cp "$source_program" "$root$program"
		else
			fail "$program (named by a unit) exists" "$source_program is missing"
		fi
	done
	units="platform-test-migrate.service platform-test-responder@1.service platform-test-worker.service platform-test-redis.service platform-test.target"
	# shellcheck disable=SC2086
	if output=$(systemd-analyze verify --root="$root" $units 2>&1) && [ -z "$output" ]; then
		pass "systemd-analyze verify passes on every unit"
	else
		fail "systemd-analyze verify passes on every unit" "$output"
	fi
	for unit in platform-test-responder@1.service platform-test-worker.service platform-test-migrate.service platform-test-redis.service; do
		output=$(systemd-analyze security --offline=true --root="$root" "$unit" 2>&1)
		level=$(printf '%s\n' "$output" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
		e2e_log "$unit: exposure ${level:-unknown}"
		if [ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'; then
			pass "systemd-analyze security rates $unit $level (2.0 or lower)"
		else
			fail "systemd-analyze security rates $unit 2.0 or lower" "$(printf '%s\n' "$output" | grep -v '✓' | tail -n 25)"
		fi
	done
fi

# ---- the OpenAPI document, the Postman files, the maintainer scripts ----
if swagger=$(npm_tool swagger-cli @apidevtools/swagger-cli@4.0.4 swagger-cli 2>"$E2E_TMP/npm-tool.log"); then
	if output=$("$swagger" validate "$PT_SRCDIR/docs/openapi.yaml" 2>&1); then
		pass "docs/openapi.yaml is a valid OpenAPI document"
	else
		fail "docs/openapi.yaml is a valid OpenAPI document" "$output"
	fi
else
	skip "docs/openapi.yaml is a valid OpenAPI document" \
		"swagger-cli cannot be installed from npm: $(grep -v '^#' "$E2E_TMP/npm-tool.log" | tail -n 1)"
fi
check "docs/openapi.yaml is OpenAPI 3" grep -q '^openapi: 3\.' "$PT_SRCDIR/docs/openapi.yaml"
jq_quiet() {
	jq -e "$@" >/dev/null 2>&1
}
for file in "$PT_SRCDIR"/postman/*.json; do
	check "$(basename "$file") is JSON" jq_quiet . "$file"
done
check "the collection is a Postman v2.1 collection" \
	jq_quiet '.info.schema | test("collection/v2\\.1")' "$PT_SRCDIR/postman/platform-test.postman_collection.json"
for script in postinst postrm; do
	check "debian/$script parses" sh -n "$PT_SRCDIR/debian/$script"
done

e2e_finish
