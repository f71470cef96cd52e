#!/bin/bash
# SPDX-License-Identifier: ISC
# test_browser — the web front end in a real browser: headless Chromium
# (Debian's chromium) driven by tests/browser/ui.mjs with puppeteer-core,
# against the real stack with a CORS allowlist. The scenarios: sign in, the
# leaderboard as the API returns it (paging, total, ties, find me, refresh),
# a player, a fight followed to its report and the replay, sign out, the
# admin creating a player and seeing the API's 422 messages; no console
# error or CSP violation on any page; axe-core's audit; CORS from an
# allowed and a refused origin. Screenshots at desktop and phone width go
# to test_browser-screenshots/ beside this test's log (PT_SCREENSHOTS
# overrides); with PT_DOC_IMAGES=DIR (make screenshots) the leaderboard and
# the battle replay are copied there as leaderboard.png and battle.png.
# puppeteer-core and axe-core come from npm into the test-tool cache.
# Skipped (77) only when Chromium is missing and cannot be installed.
. "$(dirname "$0")/lib.sh"
. "$PT_SRCDIR/tests/package/npm-tool.sh"

chromium=${PT_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	e2e_log "installing chromium (Debian) for the browser tests"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends chromium >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends chromium >/dev/null 2>&1; }
fi
if [ ! -x "$chromium" ]; then
	echo "SKIP: Chromium ($chromium) is not installed and could not be installed (Debian package chromium; run ./bootstrap as root)"
	exit 77
fi
e2e_log "$("$chromium" --version 2>/dev/null | head -n 1)"

if ! modules=$(npm_lib browser-test "puppeteer-core@24.43.1 axe-core@4.10.3" puppeteer-core); then
	fail "puppeteer-core and axe-core install from npm"
	e2e_finish
	exit
fi

shots=${PT_SCREENSHOTS:-$PWD/tests/e2e/test_browser-screenshots}
[ -d "$PWD/tests/e2e" ] || shots=${PT_SCREENSHOTS:-$E2E_TMP/screenshots}
rm -rf "$shots" && mkdir -p "$shots"

allowed_port=$(e2e_free_port)
refused_port=$(e2e_free_port)
while [ "$refused_port" = "$allowed_port" ]; do refused_port=$(e2e_free_port); done
export PT_CORS_ORIGINS="http://127.0.0.1:$allowed_port"
e2e_start_stack 2 || { fail "the stack starts"; e2e_finish; exit; }

# Players with random scores above the test's own, so "find me" is a page
# of its own and the players at score 0 share a rank.
PT_DB_PATH=$E2E_STATE/platform-test.db PT_REDIS_SOCKET=$E2E_STATE/run/redis.sock \
	"$PT_BUILDDIR/platform-test-admin" load-test-data 20 rival >/dev/null ||
	fail "load-test-data adds 20 players"

# ---- the pages as files: what nginx serves, with which headers ----
http GET /
expect_status 200 "GET / is the leaderboard page"
expect_header Content-Type "text/html; charset=utf-8" "as HTML"
page_csp=$(header Content-Security-Policy)
strict_csp() {
	[[ $page_csp == "default-src 'none'; "* && $page_csp == *"; script-src 'self';"* &&
	   $page_csp == *"; style-src 'self';"* && $page_csp != *unsafe* ]]
}
check "the pages' CSP: default-src 'none', scripts and styles from this origin only, nothing unsafe" strict_csp
for file in $(cd "$PT_SRCDIR/web" && find ui -type f | sort); do
	http GET "/$file"
	expect_status 200 "GET /$file"
done
check "no page has inline script or style" bash -c "! grep -rlE '<script>|<script [^>]*>[^<]|<style|style=| on[a-z]+=' '$PT_SRCDIR/web' --include='*.html'"
check "no script writes HTML strings (innerHTML, outerHTML, insertAdjacentHTML, document.write)" \
	bash -c "! grep -rnE '\\.(inner|outer)HTML|insertAdjacentHTML|document\\.write' '$PT_SRCDIR/web/ui/js'"
http GET /heartbeat
expect_header Content-Security-Policy "default-src 'none'; frame-ancestors 'none'" "the API keeps its own CSP"

# ---- the browser ----
PT_URL=$E2E_URL PT_ADMIN_PASSWORD=$E2E_ADMIN_PASSWORD PT_STATE=$E2E_STATE PT_SHOTS=$shots \
PT_NODE_MODULES=$modules PT_CHROMIUM=$chromium \
PT_CORS_ALLOWED_PORT=$allowed_port PT_CORS_REFUSED_PORT=$refused_port \
	timeout 240 node "$PT_SRCDIR/tests/browser/ui.mjs" > "$E2E_TMP/ui.out" 2> "$E2E_TMP/ui.err"
node_status=$?
while IFS=$'\t' read -r outcome name detail; do
	case "$outcome" in
	PASS) pass "$name" ;;
	FAIL) fail "$name" "$detail" ;;
	*) printf '%s\n' "$outcome${name:+	$name}${detail:+	$detail}" ;;
	esac
done < "$E2E_TMP/ui.out"
if [ "$node_status" -eq 0 ]; then
	pass "the browser script exits 0"
else
	fail "the browser script exits 0" "exit $node_status; $(tail -n 20 "$E2E_TMP/ui.err" | tr '\n' '|')"
fi
for name in sign-in leaderboard player battle admin; do
	for width in desktop phone; do
		check "screenshot $name-$width.png" test -s "$shots/$name-$width.png"
	done
done

if [ -n "${PT_DOC_IMAGES:-}" ] && [ "$E2E_FAILED" -eq 0 ]; then
	mkdir -p "$PT_DOC_IMAGES" &&
	cp "$shots/leaderboard-desktop.png" "$PT_DOC_IMAGES/leaderboard.png" &&
	cp "$shots/battle-desktop.png" "$PT_DOC_IMAGES/battle.png" &&
	e2e_log "wrote $PT_DOC_IMAGES/leaderboard.png and battle.png"
fi
e2e_finish
