# SPDX-License-Identifier: ISC
# npm-tool.sh — sourced by the tests that need a command-line tool from npm
# (newman, swagger-cli) or a library (puppeteer-core, axe-core: npm_lib,
# below). npm_tool NAME SPEC BIN installs SPEC with npm into a cache outside
# the build tree (so `make distcheck` leaves nothing behind and later runs
# reuse it) and prints the path of BIN. When the tool cannot be
# had — npm missing, the registry unreachable, the install failing — it
# prints one line saying why on stderr and returns 1, so that the caller can
# skip what needs the tool. A lock serialises parallel tests.
#   PT_NPM_TOOLS overrides the cache (default ~/.cache/platform-test/npm-tools).
# npm's own settings apply (npm_config_registry, ~/.npmrc, ...).

npm_tool() {
	local name=$1 spec=$2 bin=$3 cache prefix
	cache=${PT_NPM_TOOLS:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/platform-test/npm-tools}
	prefix=$cache/$name
	if ! command -v npm >/dev/null 2>&1; then
		echo "npm is not installed (Debian: apt-get install npm)" >&2
		return 1
	fi
	mkdir -p "$cache" || { echo "cannot create $cache" >&2; return 1; }
	(
		flock -w 300 9 || { echo "timed out waiting for $cache/$name.lock" >&2; exit 1; }
		if [ -x "$prefix/node_modules/.bin/$bin" ] && [ "$(cat "$prefix/.spec" 2>/dev/null)" = "$spec" ]; then
			exit 0
		fi
		# One quick question first: an unreachable registry fails here in
		# about a second, where npm install retries for over a minute.
		if ! npm view --fetch-retries=1 --fetch-retry-mintimeout=1000 --fetch-retry-maxtimeout=2000 \
			--fetch-timeout=20000 "$spec" version > "$cache/$name.probe" 2>&1; then
			echo "npm cannot fetch $spec from $(npm config get registry 2>/dev/null):" \
				"$(npm_tool_reason "$cache/$name.probe")" >&2
			rm -f "$cache/$name.probe"
			exit 1
		fi
		rm -rf "$prefix" "$cache/$name.probe" && mkdir -p "$prefix" || exit 1
		echo "# installing $spec from npm into $prefix" >&2
		if ! npm install --prefix "$prefix" --no-audit --no-fund --no-package-lock --loglevel=error "$spec" \
			> "$cache/$name.install" 2>&1; then
			echo "npm install $spec failed: $(npm_tool_reason "$cache/$name.install")" >&2
			rm -rf "$prefix" "$cache/$name.install"
			exit 1
		fi
		rm -f "$cache/$name.install"
		echo "$spec" > "$prefix/.spec"
	) 9>"$cache/$name.lock" || return 1
	echo "$prefix/node_modules/.bin/$bin"
}

# npm_tool_reason FILE: the line of npm's output that says what went wrong.
npm_tool_reason() {
	local line pattern
	for pattern in 'request to .* failed' 'npm error (code|[0-9]{3}) ' '[^[:space:]]'; do
		line=$(grep -m 1 -E "$pattern" "$1") && break
	done
	printf '%s' "${line#npm error }"
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
		if ! npm install --prefix "$prefix" --no-audit --no-fund --no-package-lock --loglevel=error $spec \
			> "$cache/$name.install" 2>&1; then
			echo "npm install $spec failed: $(npm_tool_reason "$cache/$name.install")" >&2
			rm -rf "$prefix" "$cache/$name.install"
			exit 1
		fi
		rm -f "$cache/$name.install"
		[ -f "$prefix/node_modules/$module/package.json" ] || exit 1
		echo "$spec" > "$prefix/.spec"
	) 9>"$cache/$name.lock" || return 1
	echo "$prefix/node_modules"
}
