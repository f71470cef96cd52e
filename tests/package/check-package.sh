#!/bin/bash
# check-package.sh — `make check-package`: builds the Debian package with
# dpkg-buildpackage -b -us -uc from a copy of the source tree, runs lintian
# (no errors allowed), installs it, checks where its files land, starts every
# installed program exactly as its installed unit's ExecStart= says (with the
# unit's User=, Group=, UMask=, Environment= and EnvironmentFile=, read from
# the installed files: systemd is not PID 1 here), checks
# `curl 127.0.0.1/heartbeat` through the installed nginx site, runs the
# Postman collection with newman through it; then points the installed
# services at PostgreSQL (a private server from the harness, over TCP with
# TLS and a password, PT_DATABASE_URL in the environment file as the
# operator would set it), runs the migrations unit and the services again,
# and checks a player and a battle go through it; stops what it started (by
# pid) and purges the package, checking nothing is left behind.
#
# Needs root and a free port 80. Installs what is missing with apt-get
# (debhelper, lintian, the build dependencies, nginx, redis-server).
# Environment: PT_SRCDIR, PT_BUILDDIR (set by make), PT_TARBALL (build from
# this tarball instead of the git tree), PT_KEEP_PACKAGE=1 (leave it installed).
. "$(dirname "$0")/../e2e/lib.sh"
. "$PT_SRCDIR/tests/package/npm-tool.sh"

PACKAGE=platform-test
UNIT_DIR=/lib/systemd/system
ENV_FILE=/etc/platform-test/platform-test.env
STATE_DIR=/var/lib/platform-test
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

# ---- the source tree, the build dependencies, the build ----
log_step "build"
work=$E2E_TMP/build
source_dir=$work/$PACKAGE
mkdir -p "$source_dir"
if [ -n "${PT_TARBALL:-}" ]; then
	tar -C "$source_dir" --strip-components=1 -xzf "$PT_TARBALL"
elif git -C "$PT_SRCDIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# The work tree as it is (tracked and new files, not what .gitignore
	# names): debian/rules' clean must not touch the developer's build.
	(cd "$PT_SRCDIR" && git ls-files -z -c -o --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar --null -T - -cf -) | tar -C "$source_dir" -xf -
else
	fail "a source to build from" "PT_SRCDIR is no git work tree and PT_TARBALL is unset"
	exit 1
fi
check "the source tree has debian/" test -x "$source_dir/debian/rules"

apt_install dpkg-dev debhelper lintian fakeroot
build_deps=$(cd "$source_dir" && dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
	sed -e 's/([^)]*)//g' -e 's/|[^ ]*//g' -e 's/debhelper-compat/debhelper/')
# shellcheck disable=SC2086
[ -z "$build_deps" ] || apt_install $build_deps
check "the build dependencies are installed" sh -c "cd '$source_dir' && dpkg-checkbuilddeps"

if (cd "$source_dir" && dpkg-buildpackage -b -us -uc) > "$work/build.log" 2>&1; then
	pass "dpkg-buildpackage -b -us -uc"
else
	fail "dpkg-buildpackage -b -us -uc" "$(tail -n 30 "$work/build.log")"
	exit 1
fi
deb=$(ls "$work"/${PACKAGE}_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -n 1)
check "the package was built" test -s "$deb"
e2e_log "$(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"

lintian_output=$(lintian --fail-on error "$deb" 2>&1)
lintian_status=$?
printf '%s\n' "$lintian_output" | grep -v '^running with root' | sed 's/^/# lintian: /'
if [ "$lintian_status" -eq 0 ] && ! printf '%s\n' "$lintian_output" | grep -q '^E: '; then
	pass "lintian reports no errors"
else
	fail "lintian reports no errors" "$(printf '%s\n' "$lintian_output" | grep '^E: ')"
fi

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
	/etc/nginx/sites-available/platform-test \
	/usr/share/doc/platform-test/operations.md /usr/share/doc/platform-test/openapi.yaml; do
	check "$file is installed" test -s "$file"
done
check "the nginx site is a conffile" sh -c "dpkg-query -W -f='\${Conffiles}' $PACKAGE | grep -q ' /etc/nginx/sites-available/platform-test '"
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

# Redis: the environment file says where; Debian's redis-server listens on
# 127.0.0.1:6379. Without systemd its service is not running: start a
# private one there (append-only, in a temporary directory).
redis_host=$(sed -n 's/^PT_REDIS_HOST=//p' "$ENV_FILE")
redis_port=$(sed -n 's/^PT_REDIS_PORT=//p' "$ENV_FILE")
check "the environment file names Redis on 127.0.0.1:6379" test "${redis_host}:${redis_port}" = 127.0.0.1:6379
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
	e2e_log "using the Redis already on 127.0.0.1:6379"
else
	mkdir -p "$E2E_TMP/redis"
	redis-server --bind 127.0.0.1 --port 6379 --dir "$E2E_TMP/redis" --appendonly yes --save "" \
		--daemonize no --logfile "$E2E_TMP/redis/redis.log" &
	started[redis]=$!
	for tries in $(seq 1 100); do
		redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
		sleep 0.05
	done
fi
quiet() {
	"$@" >/dev/null 2>&1
}
check "Redis answers on 127.0.0.1:6379" quiet redis-cli -h 127.0.0.1 -p 6379 ping

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
check "nginx wrote a JSON access log" sh -c "tail -n 1 /var/log/nginx/platform-test.access.log | jq -e '.uri == \"/leaderboard\"' >/dev/null"

if newman=$(npm_tool newman newman@6.2.2 newman); then
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
	fail "newman installs from npm"
fi

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
	/etc/systemd/system/platform-test.target.wants /var/log/nginx/platform-test.access.log; do
	check "$path is gone" test ! -e "$path" -a ! -L "$path"
done
check "nginx's default site is back" test -L /etc/nginx/sites-enabled/default
check "nginx -t passes after the purge" nginx -t -q

e2e_finish
