# npm-tool.sh — sourced by the tests that need a command-line tool from npm
# (newman, swagger-cli) or a library (puppeteer-core, axe-core: npm_lib,
# below). npm_tool NAME SPEC BIN installs SPEC with npm into a cache outside
# the build tree (so `make distcheck` leaves nothing behind and later runs
# reuse it) and prints the path of BIN; it fails when npm is missing or the
# install failed. A lock serialises parallel tests.
#   PT_NPM_TOOLS overrides the cache (default ~/.cache/platform-test/npm-tools).

npm_tool() {
	local name=$1 spec=$2 bin=$3 cache prefix
	cache=${PT_NPM_TOOLS:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/platform-test/npm-tools}
	prefix=$cache/$name
	if ! command -v npm >/dev/null 2>&1; then
		echo "npm is not installed (Debian: apt-get install npm)" >&2
		return 1
	fi
	mkdir -p "$cache" || return 1
	(
		flock -w 300 9 || { echo "npm_tool: timed out waiting for $cache/$name.lock" >&2; exit 1; }
		if [ -x "$prefix/node_modules/.bin/$bin" ] && [ "$(cat "$prefix/.spec" 2>/dev/null)" = "$spec" ]; then
			exit 0
		fi
		rm -rf "$prefix" && mkdir -p "$prefix" || exit 1
		echo "# installing $spec from npm into $prefix" >&2
		npm install --prefix "$prefix" --no-audit --no-fund --no-package-lock --loglevel=error "$spec" >&2 || exit 1
		echo "$spec" > "$prefix/.spec"
	) 9>"$cache/$name.lock" || return 1
	echo "$prefix/node_modules/.bin/$bin"
}

# npm_lib NAME "SPEC..." MODULE: installs the SPECs (libraries, e.g.
# "puppeteer-core@24.43.1 axe-core@4.10.3") into the same cache and prints
# the node_modules directory that holds them (for NODE_PATH or
# createRequire); MODULE is one of them, checked to be there.
npm_lib() {
	local name=$1 spec=$2 module=$3 cache prefix
	cache=${PT_NPM_TOOLS:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/platform-test/npm-tools}
	prefix=$cache/$name
	if ! command -v npm >/dev/null 2>&1; then
		echo "npm is not installed (Debian: apt-get install npm)" >&2
		return 1
	fi
	mkdir -p "$cache" || return 1
	(
		flock -w 300 9 || { echo "npm_lib: timed out waiting for $cache/$name.lock" >&2; exit 1; }
		if [ -f "$prefix/node_modules/$module/package.json" ] && [ "$(cat "$prefix/.spec" 2>/dev/null)" = "$spec" ]; then
			exit 0
		fi
		rm -rf "$prefix" && mkdir -p "$prefix" || exit 1
		echo "# installing $spec from npm into $prefix" >&2
		# shellcheck disable=SC2086
		npm install --prefix "$prefix" --no-audit --no-fund --no-package-lock --loglevel=error $spec >&2 || exit 1
		[ -f "$prefix/node_modules/$module/package.json" ] || exit 1
		echo "$spec" > "$prefix/.spec"
	) 9>"$cache/$name.lock" || return 1
	echo "$prefix/node_modules"
}
