#!/bin/bash
# SPDX-License-Identifier: ISC
# check-package.sh — `make check-package`: builds the Debian package as
# `make deb` does (mk/build-deb.sh: dpkg-buildpackage -b -us -uc in a copy of
# the source tree; lintian: no errors, no warnings), installs it, checks
# where its files land, starts every installed program exactly as its
# installed unit's ExecStart= says (with the unit's User=, Group=, UMask=,
# Environment= and EnvironmentFile=, read from the installed files: systemd
# is not PID 1 here), checks
# `curl 127.0.0.1/heartbeat` through the installed nginx site, runs the
# Postman collection with newman through it; then points the installed
# services at PostgreSQL (a private server from the harness, over TCP with
# TLS and a password, PT_DATABASE_URL in the environment file as the
# operator would set it), runs the migrations unit and the services again,
# and checks a player and a battle go through it; stops what it started (by
# pid) and purges the package, checking nothing is left behind.
#
# Needs root and a free port 80. Installs what is missing with apt-get
# (the build dependencies, lintian, nginx, redis-server).
# Environment: PT_SRCDIR, PT_BUILDDIR (set by make), PT_TARBALL (build from
# this tarball instead of the git tree), PT_KEEP_PACKAGE=1 (leave it installed).
. "$(dirname "$0")/../e2e/lib.sh"
. "$PT_SRCDIR/tests/package/npm-tool.sh"

PACKAGE=platform-test
UNIT_DIR=/lib/systemd/system
ENV_FILE=/etc/platform-test/platform-test.env
STATE_DIR=/var/lib/platform-test
LOG_DIR=/var/log/platform-test
ACCESS_LOG=$LOG_DIR/access.log
E2E_URL=http://127.0.0.1
export DEBIAN_FRONTEND=noninteractive

declare -A started=()     # name -> pid of what this test started
created_policy=no
installed=no

log_step() {
	printf '# ---- %s\n' "$*"
}

stop_started() {
	local name pid tries
	for name in nginx worker $(printf '%s\n' "${!started[@]}" | grep '^responder' | sort) redis; do
		pid=${started[$name]:-}
		[ -n "$pid" ] || continue
		kill -TERM "$pid" 2>/dev/null
		for tries in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		unset "started[$name]"
	done
}

cleanup() {
	stop_started
	if [ "$installed" = yes ] && [ "${PT_KEEP_PACKAGE:-0}" != 1 ]; then
		apt-get -o DPkg::Lock::Timeout=300 purge -y -q "$PACKAGE" >/dev/null 2>&1
	fi
	[ "$created_policy" = no ] || rm -f /usr/sbin/policy-rc.d
	e2e_teardown
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ]; then
	echo "check-package needs root (apt-get, dpkg, port 80, setpriv)" >&2
	exit 1
fi
if (exec 3<>/dev/tcp/127.0.0.1/80) 2>/dev/null; then
	echo "check-package: something already listens on 127.0.0.1:80; stop it first" >&2
	exit 1
fi
if dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q 'installed\|config-files'; then
	e2e_log "purging a $PACKAGE left installed by an earlier run"
	apt-get -o DPkg::Lock::Timeout=300 purge -y -q "$PACKAGE" >/dev/null
fi

# Services must not start from maintainer scripts here (no systemd; nginx's
# and redis's init scripts would start daemons): this test starts them.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	created_policy=yes
fi

apt_install() {
	local missing="" package
	for package in "$@"; do
		dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing="$missing $package"
	done
	[ -n "$missing" ] || return 0
	e2e_log "apt-get install$missing"
	# shellcheck disable=SC2086
	apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends $missing >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends $missing >/dev/null; }
}

# ---- the build: what `make deb` does (mk/build-deb.sh) ----
log_step "build"
work=$E2E_TMP/build
mkdir -p "$work"
deb=$(bash "$PT_SRCDIR/mk/build-deb.sh" "$work" 2> "$work/build-deb.log")
build_status=$?
sed 's/^/# /' "$work/build-deb.log"
case "$build_status" in
0|3|4) pass "mk/build-deb.sh builds the package" ;;
*) fail "mk/build-deb.sh builds the package" "exit status $build_status (log above)"; exit 1 ;;
esac
check "the package was built" test -s "$deb"
if [ "$build_status" -eq 0 ]; then
	pass "lintian reports no errors and no warnings"
else
	fail "lintian reports no errors and no warnings" "$(grep -E '^lintian: [EW]: ' "$work/build-deb.log")"
fi
e2e_log "$(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"

# ---- install ----
log_step "install"
apt_install nginx redis-server curl jq postgresql sqlite3
if apt-get -o DPkg::Lock::Timeout=300 install -y -q "$deb" > "$work/install.log" 2>&1; then
	pass "apt-get install the package"
	installed=yes
else
	fail "apt-get install the package" "$(tail -n 30 "$work/install.log")"
	exit 1
fi
sed 's/^/# /' "$work/install.log" | grep 'platform-test:' || true
check "the install reported the generated secrets" grep -q 'generated the secrets' "$work/install.log"

for file in /usr/bin/platform-test-responder /usr/bin/platform-test-worker /usr/bin/platform-test-admin; do
	check "$file is installed" test -x "$file"
done
for file in /usr/share/platform-test/sql/sqlite/001_players.sql /usr/share/platform-test/sql/postgresql/001_players.sql \
	/usr/share/platform-test/platform-test.env.sample \
	$UNIT_DIR/platform-test-migrate.service $UNIT_DIR/platform-test-responder@.service \
	$UNIT_DIR/platform-test-worker.service $UNIT_DIR/platform-test.target \
	/usr/lib/tmpfiles.d/platform-test.conf /usr/lib/sysusers.d/platform-test.conf \
	/etc/nginx/sites-available/platform-test /etc/logrotate.d/platform-test \
	/usr/share/platform-test/web/index.html /usr/share/platform-test/web/ui/js/api.js \
	/usr/share/platform-test/web/ui/css/site.css /usr/share/platform-test/cors-map /usr/sbin/platform-test-cors \
	/etc/platform-test/cors-origins.conf \
	/usr/share/doc/platform-test/operations.md /usr/share/doc/platform-test/api.md \
	/usr/share/doc/platform-test/openapi.yaml /usr/share/doc/platform-test/copyright \
	/usr/share/man/man8/platform-test-responder.8.gz /usr/share/man/man8/platform-test-worker.8.gz \
	/usr/share/man/man8/platform-test-admin.8.gz; do
	check "$file is installed" test -s "$file"
done
check "the copyright file names the ISC licence (DEP-5)" \
	grep -qx 'License: ISC' /usr/share/doc/platform-test/copyright
for file in /etc/nginx/sites-available/platform-test /etc/logrotate.d/platform-test; do
	check "$file is a conffile" sh -c "dpkg-query -W -f='\${Conffiles}' $PACKAGE | grep -q ' $file '"
done
check "$LOG_DIR is 755 root:adm" test "$(stat -c '%a %U:%G' "$LOG_DIR" 2>/dev/null)" = "755 root:adm"
check "$ACCESS_LOG is 640 www-data:adm" test "$(stat -c '%a %U:%G' "$ACCESS_LOG" 2>/dev/null)" = "640 www-data:adm"
check "the nginx site is enabled" test "$(readlink /etc/nginx/sites-enabled/platform-test)" = ../sites-available/platform-test
check "nginx's stock default site was disabled" test ! -e /etc/nginx/sites-enabled/default
check "the system user exists" sh -c 'getent passwd platform-test >/dev/null'
check "it has no login shell" sh -c "getent passwd platform-test | grep -Eq ':/(usr/)?s?bin/(nologin|false)$'"
check "$STATE_DIR belongs to platform-test, mode 750" test "$(stat -c '%U:%G %a' "$STATE_DIR")" = "platform-test:platform-test 750"
check "$ENV_FILE is root:platform-test, mode 640" test "$(stat -c '%U:%G %a' "$ENV_FILE")" = "root:platform-test 640"
admin_password=$(sed -n 's/^PT_ADMIN_PASSWORD=//p' "$ENV_FILE")
jwt_secret=$(sed -n 's/^PT_JWT_SECRET=//p' "$ENV_FILE")
check "an admin password of 16 bytes or more was generated" test "${#admin_password}" -ge 16
check "a JWT secret of 32 bytes or more was generated" test "${#jwt_secret}" -ge 32
check "the migrations ran (the database exists)" test -s "$STATE_DIR/platform-test.db"
check "the database belongs to platform-test" test "$(stat -c %U "$STATE_DIR/platform-test.db" 2>/dev/null)" = platform-test
check "/run/platform-test is 2750 platform-test:www-data" \
	test "$(stat -c '%a %U:%G' /run/platform-test 2>/dev/null)" = "2750 platform-test:www-data"
check "platform-test.target is enabled" test -L /etc/systemd/system/multi-user.target.wants/platform-test.target
check "the worker is enabled" test -L /etc/systemd/system/platform-test.target.wants/platform-test-worker.service

env_sum=$(sha256sum "$ENV_FILE")
if apt-get -o DPkg::Lock::Timeout=300 install -y -q --reinstall "$deb" > "$work/reinstall.log" 2>&1; then
	pass "the package reinstalls"
else
	fail "the package reinstalls" "$(tail -n 20 "$work/reinstall.log")"
fi
check "a reinstall keeps the secrets" test "$(sha256sum "$ENV_FILE")" = "$env_sum"

# ---- the installed units, run as they say ----
log_step "services"
# unit_value UNIT KEY: every value of KEY= in the installed unit, one a line.
unit_values() {
	sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$UNIT_DIR/$1"
}

# expand_specifiers TEXT INSTANCE: the specifiers these units may use.
expand_specifiers() {
	local text=$1 instance=$2 out="" c
	while [ -n "$text" ]; do
		c=${text%"${text#?}"}
		text=${text#?}
		if [ "$c" != % ]; then out+=$c; continue; fi
		c=${text%"${text#?}"}
		text=${text#?}
		case "$c" in
		i|I) out+=$instance ;;
		%) out+=% ;;
		S) out+=/var/lib ;;
		t) out+=/run ;;
		*) echo "unsupported specifier %$c" >&2; return 1 ;;
		esac
	done
	printf '%s' "$out"
}

# read_environment FILE: systemd's KEY=VALUE lines as env(1) arguments.
read_environment() {
	local line key value
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line#"${line%%[![:space:]]*}"}
		case "$line" in ''|'#'*|';'*) continue ;; esac
		key=${line%%=*}
		value=${line#*=}
		case "$value" in \"*\") value=${value#\"}; value=${value%\"} ;; \'*\') value=${value#\'}; value=${value%\'} ;; esac
		printf '%s=%s\n' "$key" "$value"
	done < "$1"
}

# start_unit UNIT [INSTANCE]: runs the unit's ExecStart= as systemd would
# (User, Group, UMask, StateDirectory, Environment then EnvironmentFile) in
# the background; sets UNIT_PID.
start_unit() {
	local unit=$1 instance=${2:-} file user group umask mode exec env_args=() assignment env_file state
	file=$unit
	[ -z "$instance" ] || file=${unit/@*./@.}
	user=$(unit_values "$file" User | tail -n 1)
	group=$(unit_values "$file" Group | tail -n 1)
	umask=$(unit_values "$file" UMask | tail -n 1)
	exec=$(unit_values "$file" ExecStart)
	if [ "$(printf '%s\n' "$exec" | grep -c .)" -ne 1 ]; then
		fail "$unit has one ExecStart=" "$exec"
		return 1
	fi
	exec=$(expand_specifiers "${exec#[-@:+!]}" "$instance") || return 1
	mode=$(unit_values "$file" StateDirectoryMode | tail -n 1)
	for state in $(unit_values "$file" StateDirectory); do
		install -d -o "$user" -g "${group:-$user}" -m "${mode:-0755}" "/var/lib/$state"
	done
	mode=$(unit_values "$file" RuntimeDirectoryMode | tail -n 1)
	for state in $(unit_values "$file" RuntimeDirectory); do
		install -d -o "$user" -g "${group:-$user}" -m "${mode:-0755}" "/run/$state"
	done
	while IFS= read -r assignment; do
		[ -n "$assignment" ] && env_args+=("$(expand_specifiers "$assignment" "$instance")")
	done < <(unit_values "$file" Environment)
	while IFS= read -r env_file; do
		[ -n "$env_file" ] || continue
		case "$env_file" in -*) env_file=${env_file#-}; [ -e "$env_file" ] || continue ;; esac
		while IFS= read -r assignment; do env_args+=("$assignment"); done < <(read_environment "$env_file")
	done < <(unit_values "$file" EnvironmentFile)
	e2e_log "$unit: as $user:${group:-$user}, umask ${umask:-0022}: $exec"
	# shellcheck disable=SC2086
	(
		set -f
		umask "${umask:-0022}"
		cd /
		exec setpriv --reuid="$user" --regid="${group:-$user}" --init-groups \
			env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${env_args[@]}" $exec
	) >> "$E2E_TMP/$unit.log" 2>&1 &
	UNIT_PID=$!
}

# Redis: the package's own instance (platform-test-redis.service), on a
# unix socket only the platform-test user can open, with the ACL user and
# password the install wrote into the environment file and redis.conf.
quiet() {
	"$@" >/dev/null 2>&1
}
redis_socket=$(sed -n 's/^PT_REDIS_SOCKET=//p' "$ENV_FILE")
redis_user=$(sed -n 's/^PT_REDIS_USER=//p' "$ENV_FILE")
redis_password=$(sed -n 's/^PT_REDIS_PASSWORD=//p' "$ENV_FILE")
check "the environment file names the package's Redis" test "$redis_socket" = /run/platform-test-redis/redis.sock
check "the install made a Redis password of 32 characters or more" test "${#redis_password}" -ge 32
check "redis.conf is 640 root:platform-test (it holds the password)" \
	test "$(stat -c '%a %U:%G' /etc/platform-test/redis.conf 2>/dev/null)" = "640 root:platform-test"
check "the target wants the package's Redis" sh -c "grep -q '^Wants=.*platform-test-redis.service' $UNIT_DIR/platform-test.target"
if start_unit platform-test-redis.service; then started[redis]=$UNIT_PID; fi
for tries in $(seq 1 100); do
	[ -S "$redis_socket" ] && break
	sleep 0.05
done
redis_as() {	# redis_as USER redis-cli-arguments...: output and status of redis-cli run as USER
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups redis-cli -s "$redis_socket" "$@" 2>&1
}
check "Redis answers the ACL user and its password" \
	sh -c "test \"\$(redis-cli -s '$redis_socket' --user '$redis_user' --pass '$redis_password' --no-auth-warning ping)\" = PONG"
unauthenticated=$(redis-cli -s "$redis_socket" ping 2>&1)
check "Redis refuses a client without the password (${unauthenticated})" grep -q NOAUTH <<<"$unauthenticated"
wrong=$(redis-cli -s "$redis_socket" --user "$redis_user" --pass wrong-password --no-auth-warning ping 2>&1)
check "Redis refuses a wrong password (${wrong})" test "$wrong" != PONG
other=$(redis_as nobody ping)
check "another local user cannot even open the socket (${other})" grep -qi "permission denied" <<<"$other"
check "Redis persists with appendonly" \
	sh -c "redis-cli -s '$redis_socket' --user '$redis_user' --pass '$redis_password' --no-auth-warning config get appendonly | grep -qx yes"

# The migrations, as the oneshot unit runs them (again: they are idempotent).
start_unit platform-test-migrate.service && wait "$UNIT_PID"
migrate_status=$?
if [ "$migrate_status" -eq 0 ]; then
	pass "platform-test-migrate.service's ExecStart exits 0"
else
	fail "platform-test-migrate.service's ExecStart exits 0" "$(tail -n 5 "$E2E_TMP/platform-test-migrate.service.log")"
fi

# What platform-test.target pulls in: the worker and the responder instances.
wanted=$(unit_values platform-test.target Wants | tr ' ' '\n' | grep .)
responder_units=$(printf '%s\n' "$wanted" | grep '^platform-test-responder@')
check "the target wants the worker" grep -qx platform-test-worker.service <<<"$wanted"
check "the target wants responders" test -n "$responder_units"

# start_services LABEL: the responders and the worker, as their units say.
start_services() {
	local label=$1 unit instance socket tries name pid
	for unit in $responder_units; do
		instance=${unit#platform-test-responder@}
		instance=${instance%.service}
		if start_unit "$unit" "$instance"; then started[responder-$instance]=$UNIT_PID; fi
	done
	if start_unit platform-test-worker.service; then started[worker]=$UNIT_PID; fi
	for unit in $responder_units; do
		instance=${unit#platform-test-responder@}
		instance=${instance%.service}
		socket=/run/platform-test/responder-$instance.sock
		for tries in $(seq 1 50); do
			[ -S "$socket" ] && break
			sleep 0.1
		done
		check "$label: $unit listens on $socket" test -S "$socket"
		check "$label: $socket is 660 platform-test:www-data" \
			test "$(stat -c '%a %U:%G' "$socket" 2>/dev/null)" = "660 platform-test:www-data"
	done
	sleep 0.5
	for name in "${!started[@]}"; do
		[ "$name" = redis ] || [ "$name" = nginx ] && continue
		pid=${started[$name]}
		if kill -0 "$pid" 2>/dev/null; then
			check "$label: $name runs as platform-test" test "$(ps -o user= -p "$pid" | tr -d ' ')" = platform-test
		else
			fail "$label: $name is running" "$(tail -n 5 "$E2E_TMP"/*.log 2>/dev/null)"
		fi
	done
}

# stop_services: the worker and the responders, by SIGTERM as systemd would.
stop_services() {
	local name pid
	for name in worker $(printf '%s\n' "${!started[@]}" | grep '^responder'); do
		pid=${started[$name]:-}
		[ -n "$pid" ] || continue
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		STOPPED_STATUS[$name]=$?
		unset "started[$name]"
	done
}
declare -A STOPPED_STATUS=()

start_services SQLite

# nginx with the system's configuration: the installed site in sites-enabled.
if output=$(nginx -t 2>&1); then
	pass "nginx -t passes with the installed site"
else
	fail "nginx -t passes with the installed site" "$output"
fi
nginx -g 'daemon off;' > "$E2E_TMP/nginx.log" 2>&1 &
started[nginx]=$!
for tries in $(seq 1 100); do
	curl -s -o /dev/null "$E2E_URL/heartbeat" && break
	sleep 0.1
done

# ---- through the installed site ----
log_step "HTTP"
http GET /heartbeat
expect_status 200 "curl 127.0.0.1/heartbeat through the installed nginx site"
expect_json .status ok "the heartbeat is ok"
expect_json .checks.redis ok "the responders reach Redis"
expect_header X-Content-Type-Options nosniff "the site's security headers are there"
http GET /leaderboard -u "admin:$admin_password"
expect_status 200 "the generated admin password works"

check "nginx wrote a JSON access log" sh -c "tail -n 1 $ACCESS_LOG | jq -se 'length == 1 and .[0].uri == \"/leaderboard\"' >/dev/null"

# The web pages through the installed site, from /usr/share/platform-test/web.
http GET /
expect_status 200 "GET / is the leaderboard page through the installed site"
expect_header Content-Type "text/html; charset=utf-8" "it is HTML"
check "the pages' CSP allows this origin's scripts only" sh -c "grep -qi \"^content-security-policy: default-src 'none'; script-src 'self';\" '$HEADERS'"
http GET /ui/js/leaderboard.js
expect_status 200 "the pages' scripts are served"
expect_header Content-Type "text/javascript; charset=utf-8" "as JavaScript (module scripts need it)"
http GET /ui/nope.js
expect_error 404 not_found "a missing page file is the JSON 404"

# CORS: off as installed; PT_CORS_ORIGINS in the environment file and
# platform-test-cors turn it on (nginx reloaded); a bad value changes nothing.
cors_preflight() {
	http OPTIONS /battles -H "Origin: $1" -H 'Access-Control-Request-Method: POST'
}
cors_preflight https://game.example
expect_status 405 "CORS is off as installed (a preflight is an OPTIONS, 405)"
cp -p "$ENV_FILE" "$E2E_TMP/env.saved"
echo 'PT_CORS_ORIGINS=https://game.example, http://127.0.0.1:9000' >> "$ENV_FILE"
if output=$(/usr/sbin/platform-test-cors 2>&1); then pass "platform-test-cors applies PT_CORS_ORIGINS"; else fail "platform-test-cors applies PT_CORS_ORIGINS" "$output"; fi
e2e_log "$output"
for tries in $(seq 1 50); do
	cors_preflight https://game.example
	[ "$STATUS" = 204 ] && break
	sleep 0.1
done
expect_status 204 "after platform-test-cors, a preflight from a listed origin is 204 (nginx reloaded)"
expect_header Access-Control-Allow-Origin https://game.example "the exact origin is echoed"
cors_preflight https://evil.example
expect_status 405 "an origin off the list is still routed as OPTIONS"
cors_before=$(cat /etc/platform-test/cors-origins.conf)
echo 'PT_CORS_ORIGINS=https://game.example/path' >> "$ENV_FILE"
/usr/sbin/platform-test-cors > "$E2E_TMP/cors.out" 2>&1
check "platform-test-cors refuses a value that is not a list of origins (exit 2)" test $? -eq 2
check "and names it" grep -qF "'https://game.example/path' is not an origin" "$E2E_TMP/cors.out"
check "and leaves the allowlist as it was" test "$(cat /etc/platform-test/cors-origins.conf)" = "$cors_before"
cp -p "$E2E_TMP/env.saved" "$ENV_FILE"
check "platform-test-cors turns CORS off again" sh -c '/usr/sbin/platform-test-cors | grep -q "CORS off"'
check "the environment file is still root:platform-test 640" test "$(stat -c '%U:%G %a' "$ENV_FILE")" = "root:platform-test 640"

if newman=$(npm_tool newman newman@6.2.2 newman 2>"$E2E_TMP/npm-tool.log"); then
	if "$newman" run "$PT_SRCDIR/postman/platform-test.postman_collection.json" \
		-e "$PT_SRCDIR/postman/platform-test.postman_environment.json" \
		--env-var "baseUrl=$E2E_URL" --env-var "adminPassword=$admin_password" \
		--color off --disable-unicode --timeout-request 10000 > "$E2E_TMP/newman.log" 2>&1; then
		pass "newman runs the collection green through the installed site"
	else
		fail "newman runs the collection green through the installed site" "$(grep -A3 -E '^ *[0-9]+\. ' "$E2E_TMP/newman.log" | head -n 40)"
	fi
	grep -E '(requests|assertions) *\|' "$E2E_TMP/newman.log" | sed 's/^/# newman: /'
else
	skip "newman runs the collection through the installed site" \
		"newman cannot be installed from npm: $(grep -v '^#' "$E2E_TMP/npm-tool.log" | tail -n 1)"
fi

# ---- log rotation: the installed rule, run by logrotate as the daily timer would ----
log_step "log rotation"
apt_install logrotate
# The rule's postrotate is nginx's own (invoke-rc.d nginx rotate: USR1 to the
# master in /run/nginx.pid, which the nginx started above wrote). Services
# are forbidden here (policy-rc.d), so a shim first in PATH records the call
# and passes it on with --force; nothing else is changed.
mkdir -p "$E2E_TMP/shim"
cat > "$E2E_TMP/shim/invoke-rc.d" <<SHIM
#!/bin/sh
echo "\$*" >> "$E2E_TMP/invoke-rc.d.calls"
exec /usr/sbin/invoke-rc.d --force "\$@"
SHIM
chmod 755 "$E2E_TMP/shim/invoke-rc.d"
lines_before=$(wc -l < "$ACCESS_LOG")
if output=$(PATH=$E2E_TMP/shim:$PATH logrotate -v -f -s "$E2E_TMP/logrotate.state" /etc/logrotate.d/platform-test 2>&1); then
	pass "logrotate runs /etc/logrotate.d/platform-test"
else
	fail "logrotate runs /etc/logrotate.d/platform-test" "$(printf '%s\n' "$output" | tail -n 15)"
fi
check "the access log was rotated to access.log.1 with its $lines_before lines" \
	test "$(wc -l < "$ACCESS_LOG.1" 2>/dev/null)" = "$lines_before"
check "a new access log is 640 www-data:adm" test "$(stat -c '%a %U:%G' "$ACCESS_LOG" 2>/dev/null)" = "640 www-data:adm"
check "the postrotate ran invoke-rc.d nginx rotate" grep -qx 'nginx rotate' "$E2E_TMP/invoke-rc.d.calls"
http GET /heartbeat
for tries in $(seq 1 50); do
	[ -s "$ACCESS_LOG" ] && break
	sleep 0.1
done
check "nginx writes to the new access log after the rotation" \
	sh -c "tail -n 1 '$ACCESS_LOG' | jq -se 'length == 1 and .[0].uri == \"/heartbeat\"' >/dev/null"
check "and no longer to the rotated one" test "$(wc -l < "$ACCESS_LOG.1" 2>/dev/null)" = "$lines_before"

# ---- the same installed services on PostgreSQL ----
log_step "PostgreSQL"
stop_services
if e2e_start_postgresql; then
	pass "a PostgreSQL server for the package"
	database_url="postgresql://platform_test:$E2E_PG_PASSWORD@127.0.0.1:$E2E_PG_PORT/platform_test?sslmode=require"
	printf '\n# Set by check-package.sh: the store is PostgreSQL.\nPT_DATABASE_URL=%s\n' "$database_url" >> "$ENV_FILE"
	start_unit platform-test-migrate.service && wait "$UNIT_PID"
	migrate_status=$?
	check "PostgreSQL: platform-test-migrate.service's ExecStart exits 0 (exit $migrate_status)" test "$migrate_status" -eq 0
	check "PostgreSQL: the migrations were applied there" \
		test "$(e2e_psql -c 'SELECT count(*) FROM schema_migrations')" = "$(ls /usr/share/platform-test/sql/postgresql/*.sql | wc -l)"
	start_services PostgreSQL
	http GET /heartbeat
	expect_status 200 "PostgreSQL: the heartbeat through the installed site"
	json POST /players '{"name":"stored-in-postgresql","gold":100}' -u "admin:$admin_password"
	expect_status 201 "PostgreSQL: a player is created"
	first=$(jq_body .id)
	json POST /players '{"name":"second-in-postgresql"}' -u "admin:$admin_password"
	second=$(jq_body .id)
	check "PostgreSQL: the player is in the PostgreSQL database" \
		test "$(e2e_psql -c "SELECT count(*) FROM players WHERE name = 'stored-in-postgresql'")" = 1
	check "PostgreSQL: and not in the SQLite file" \
		test "$(sqlite3 "$STATE_DIR/platform-test.db" "SELECT count(*) FROM players WHERE name = 'stored-in-postgresql'")" = 0
	json POST /battles "{\"attacker_id\":$first,\"defender_id\":$second}" -u "admin:$admin_password"
	expect_status 202 "PostgreSQL: a battle is accepted"
	battle=$(jq_body .id)
	for tries in $(seq 1 50); do
		[ "$(e2e_psql -c "SELECT status FROM battles WHERE id = ${battle:-0}")" = done ] && break
		sleep 0.2
	done
	check "PostgreSQL: the installed worker applies it" test "$(e2e_psql -c "SELECT status FROM battles WHERE id = ${battle:-0}")" = done
else
	fail "a PostgreSQL server for the package"
fi

# ---- stop, as systemd would (SIGTERM) ----
log_step "stop"
pid=${started[nginx]:-}
if [ -n "$pid" ]; then
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "started[nginx]"
fi
stop_services
check "the worker exits 0 on SIGTERM" test "${STOPPED_STATUS[worker]:-1}" -eq 0
stop_started

# ---- purge ----
log_step "purge"
package_files=$(dpkg -L "$PACKAGE" | grep -v '^/\.$')
if apt-get -o DPkg::Lock::Timeout=300 purge -y -q "$PACKAGE" > "$work/purge.log" 2>&1; then
	pass "apt-get purge the package"
	installed=no
else
	fail "apt-get purge the package" "$(tail -n 20 "$work/purge.log")"
fi
check "dpkg no longer knows the package" sh -c "! dpkg-query -W -f='\${Status}' $PACKAGE 2>/dev/null | grep -q 'installed\|config-files'"
left=""
while IFS= read -r path; do
	# (a directory symlink such as /lib on a merged-/usr system is no file)
	if [ -f "$path" ] || { [ -L "$path" ] && [ ! -d "$path" ]; }; then left="$left $path"; fi
done <<<"$package_files"
check "no file of the package is left${left:+:$left}" test -z "$left"
for path in /etc/platform-test "$STATE_DIR" /run/platform-test /etc/nginx/sites-enabled/platform-test \
	/etc/systemd/system/multi-user.target.wants/platform-test.target \
	/etc/systemd/system/platform-test.target.wants "$LOG_DIR" /etc/logrotate.d/platform-test; do
	check "$path is gone" test ! -e "$path" -a ! -L "$path"
done
check "nginx's default site is back" test -L /etc/nginx/sites-enabled/default
check "nginx -t passes after the purge" nginx -t -q

e2e_finish
