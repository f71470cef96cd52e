#!/bin/bash
# SPDX-License-Identifier: ISC
# test_newman — runs the Postman collection (postman/*.json) with newman,
# installed from npm into a cache, against the stack the harness starts.
# Every assertion of the collection becomes one check here. It also checks
# that the collection has a request for every operation of docs/openapi.yaml
# (read with swagger-cli, also from npm). A part whose tool cannot be
# installed is reported as skipped; with neither tool the file is skipped.
. "$(dirname "$0")/lib.sh"
. "$PT_SRCDIR/tests/package/npm-tool.sh"

collection=$PT_SRCDIR/postman/platform-test.postman_collection.json
environment=$PT_SRCDIR/postman/platform-test.postman_environment.json

# tool NAME SPEC BIN: the path of an npm tool, or "" with the reason in $E2E_TMP/NAME.reason.
tool() {
	local path
	if path=$(npm_tool "$@" 2>"$E2E_TMP/npm-tool.log"); then
		printf '%s' "$path"
	else
		grep -v '^#' "$E2E_TMP/npm-tool.log" | tail -n 1 > "$E2E_TMP/$1.reason"
	fi
}
newman=$(tool newman newman@6.2.2 newman)
swagger=$(tool swagger-cli @apidevtools/swagger-cli@4.0.4 swagger-cli)

# ---- every operation of the OpenAPI document has a request ----
if [ -z "$swagger" ]; then
	skip "the collection covers every operation of docs/openapi.yaml" \
		"swagger-cli cannot be installed from npm: $(cat "$E2E_TMP/swagger-cli.reason")"
else
	"$swagger" bundle -t json -o "$E2E_TMP/openapi.json" "$PT_SRCDIR/docs/openapi.yaml" >/dev/null 2>&1
	operations=$(jq -r '.paths | to_entries[] | .key as $p | .value | keys[]
		| select(IN("get","post","put","patch","delete")) | "\(ascii_upcase) \($p)"' "$E2E_TMP/openapi.json" | sort -u)
	requests=$(jq -r '.. | objects | select(has("request")) | .request
		| "\(.method) /\(.url.path | map(if test("^\\{\\{.*\\}\\}$") then "{id}" else . end) | join("/"))"' \
		"$collection" | sort -u)
	if [ -n "$operations" ]; then pass "the OpenAPI document lists operations"; else fail "the OpenAPI document lists operations"; fi
	while read -r operation; do
		[ -n "$operation" ] || continue
		if grep -qxF "$operation" <<<"$requests"; then
			pass "the collection covers $operation"
		else
			fail "the collection covers $operation"
		fi
	done <<<"$operations"
fi

# ---- the collection against the stack ----
if [ -z "$newman" ]; then
	skip "newman runs the collection against the stack" \
		"newman cannot be installed from npm: $(cat "$E2E_TMP/newman.reason")"
	e2e_finish
	exit
fi
e2e_start_stack 2 || { fail "the stack starts"; e2e_finish; exit; }
report=$E2E_TMP/newman.json
"$newman" run "$collection" -e "$environment" \
	--env-var "baseUrl=$E2E_URL" --env-var "adminPassword=$E2E_ADMIN_PASSWORD" \
	--reporters cli,json --reporter-json-export "$report" --color off --disable-unicode \
	--timeout-request 10000 > "$E2E_TMP/newman.log" 2>&1
newman_status=$?
sed 's/^/# /' "$E2E_TMP/newman.log" | tail -n 60

if [ ! -s "$report" ]; then
	fail "newman wrote its report" "exit status $newman_status"
else
	while IFS=$'\t' read -r outcome name detail; do
		if [ "$outcome" = ok ]; then pass "$name"; else fail "$name" "$detail"; fi
	done < <(jq -r '.run.executions[] | .item.name as $request
		| (.requestError // empty | ["not ok", "\($request): request", (.message // tostring)]),
		  (.assertions // [] | .[] | [(if .error then "not ok" else "ok" end), "\($request): \(.assertion)", (.error.message // "")])
		| @tsv' "$report")
	requests_run=$(jq '[.run.executions[].item.id] | unique | length' "$report")
	requests_total=$(jq '[.. | objects | select(has("request"))] | length' "$collection")
	if [ "$requests_run" = "$requests_total" ]; then
		pass "newman ran all $requests_total requests"
	else
		fail "newman ran all $requests_total requests" "ran $requests_run"
	fi
	if [ "$newman_status" -eq 0 ]; then pass "newman exits 0"; else fail "newman exits 0" "exit status $newman_status"; fi
fi

e2e_finish
