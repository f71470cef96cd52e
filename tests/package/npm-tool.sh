# npm-tool.sh — sourced by the tests that need a command-line tool from npm
# (newman, swagger-cli). npm_tool NAME SPEC BIN installs SPEC with npm into a
# cache outside the build tree (so `make distcheck` leaves nothing behind and
# later runs reuse it) and prints the path of BIN; it fails when npm is
# missing or the install failed. A lock serialises parallel tests.
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
