#!/bin/bash
# test_newman — runs the Postman collection (postman/*.json) with newman,
# installed from npm into a cache, against the stack the harness starts.
# Every assertion of the collection becomes one check here. It also checks
# that the collection has a request for every operation of docs/openapi.yaml.
. "$(dirname "$0")/lib.sh"
. "$PT_SRCDIR/tests/package/npm-tool.sh"

collection=$PT_SRCDIR/postman/platform-test.postman_collection.json
environment=$PT_SRCDIR/postman/platform-test.postman_environment.json

newman=$(npm_tool newman newman@6.2.2 newman) || { echo "cannot install newman from npm: skipped"; exit 77; }
swagger=$(npm_tool swagger-cli @apidevtools/swagger-cli@4.0.4 swagger-cli) || { echo "cannot install swagger-cli from npm: skipped"; exit 77; }

# ---- every operation of the OpenAPI document has a request ----
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

# ---- the collection against the stack ----
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
