# SPDX-License-Identifier: ISC
# metrics_lib.sh — reading Prometheus' text format in the end-to-end tests
# (sourced after lib.sh): scrape, look a series up, check the format, and
# check that a Grafana dashboard's expressions name only exposed metrics.

# metrics_scrape FILE: GET /metrics into FILE; fails unless 200 in the
# exposition format's content type.
metrics_scrape() {
	local file=$1 type
	type=$(curl -s -o "$file" -w '%{http_code} %{content_type}' "$E2E_URL/metrics")
	[ "$type" = "200 text/plain; version=0.0.4; charset=utf-8" ] || {
		echo "scrape: $type: $(head -c 300 "$file")" >&2
		return 1
	}
}

# metric_value FILE SERIES: the value of one series, written as exposed
# (name{label="value",...}); 0 when it is absent (a counter not yet moved).
metric_value() {
	awk -v series="$2" '$1 == series { print $2; found = 1; exit } END { if (!found) print 0 }' "$1"
}

# metric_delta BEFORE AFTER SERIES: AFTER's value less BEFORE's.
metric_delta() {
	awk -v a="$(metric_value "$1" "$3")" -v b="$(metric_value "$2" "$3")" 'BEGIN { printf "%.0f\n", b - a }'
}

# metrics_check_format FILE: prints every breach of the exposition format
# (0.0.4) and of the naming rules this project keeps; silent when clean.
# Checks: HELP and TYPE once per family and before its samples; names and
# values well formed; no series twice; counters end in _total; every
# histogram's buckets rise with le, end in +Inf, and +Inf equals _count.
metrics_check_format() {
	awk '
	function complain(message) { print FILENAME ":" FNR ": " message; bad = 1 }
	/^# HELP / { if (($3) in help) complain("HELP twice for " $3); help[$3] = 1; next }
	/^# TYPE / {
		if (($3) in type) complain("TYPE twice for " $3)
		if ($4 !~ /^(counter|gauge|histogram|summary|untyped)$/) complain("unknown type " $4)
		if (!(($3) in help)) complain("TYPE before HELP for " $3)
		type[$3] = $4; next
	}
	/^#/ { next }
	{
		if (NF != 2) { complain("not \"series value\": " $0); next }
		series = $1; value = $2
		if (series in seen) complain("series twice: " series)
		seen[series] = 1
		if (match(series, /^[a-zA-Z_:][a-zA-Z0-9_:]*/) == 0) { complain("bad name: " series); next }
		name = substr(series, 1, RLENGTH); labels = substr(series, RLENGTH + 1)
		if (labels != "" && labels !~ /^\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\}$/)
			complain("bad labels: " series)
		if (value !~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ && value !~ /^[-+]?Inf$/ && value != "NaN")
			complain("bad value: " $0)
		family = name
		if (name ~ /_(bucket|sum|count)$/) {
			base = name; sub(/_(bucket|sum|count)$/, "", base)
			if (type[base] == "histogram") family = base
		}
		if (!(family in type)) { complain("sample before its TYPE: " series); next }
		if (type[family] == "counter" && family !~ /_total$/) complain("counter without _total: " family)
		if (type[family] != "histogram") next
		key = labels; sub(/,?le="[^"]*"/, "", key); sub(/\{,/, "{", key); if (key == "{}") key = ""
		key = family key
		if (name == family "_bucket") {
			if (match(labels, /le="[^"]*"/) == 0) { complain("bucket without le: " series); next }
			le = substr(labels, RSTART + 4, RLENGTH - 5)
			if (key in last_count && value + 0 < last_count[key]) complain("bucket count falls: " series)
			if (key in last_le && (last_le[key] == "+Inf" || (le != "+Inf" && le + 0 <= last_le[key] + 0)))
				complain("le not rising: " series)
			last_le[key] = le; last_count[key] = value + 0
			if (le == "+Inf") infinity[key] = value + 0
		} else if (name == family "_count") {
			counted[key] = value + 0
		}
	}
	END {
		for (key in last_le) if (last_le[key] != "+Inf") complain("no +Inf bucket: " key)
		for (key in counted) if (!(key in infinity) || infinity[key] != counted[key])
			complain("_count is not the +Inf bucket: " key)
		exit bad
	}' "$1"
}

# metrics_sample_names FILE: every sample name exposed, one a line.
metrics_sample_names() {
	awk '!/^#/ && NF == 2 { name = $1; sub(/\{.*/, "", name); print name }' "$1" | sort -u
}

# metrics_families FILE: "name type" of every family.
metrics_families() {
	awk '/^# TYPE / { print $3, $4 }' "$1"
}

# dashboard_unknown_metrics DASHBOARD SCRAPE: prints each name that a
# panel's PromQL expression uses as a metric and SCRAPE does not expose, and
# each expression that names no metric at all. Strings, label matchers,
# ranges, grouping clauses and functions are removed first; what remains
# are metric names, numbers and PromQL's keywords.
dashboard_unknown_metrics() {
	local dashboard=$1 scrape=$2
	jq -r '.. | objects | select(has("expr")) | .expr | gsub("\n"; " ")' "$dashboard" |
		awk -v names="$(metrics_sample_names "$scrape" | tr '\n' ' ')" '
		BEGIN {
			count = split(names, list, " "); for (i = 1; i <= count; i++) known[list[i]] = 1
			split("by without on ignoring group_left group_right offset bool and or unless", words, " ")
			for (i in words) keyword[words[i]] = 1
		}
		{
			expr = $0; text = $0
			gsub(/"[^"]*"/, "", text); gsub(/\{[^}]*\}/, " ", text); gsub(/\[[^]]*\]/, " ", text)
			gsub(/(by|without|on|ignoring|group_left|group_right)[ ]*\([^)]*\)/, " ", text)
			gsub(/[a-zA-Z_][a-zA-Z0-9_]*[ ]*\(/, " (", text)
			metrics = 0
			while (match(text, /[a-zA-Z_:][a-zA-Z0-9_:]*/)) {
				token = substr(text, RSTART, RLENGTH); text = substr(text, RSTART + RLENGTH)
				if (token in keyword || token ~ /^(Inf|NaN|e[0-9]*)$/) continue
				metrics++
				if (!(token in known)) print "unknown metric " token " in: " expr
			}
			if (metrics == 0) print "no metric in: " expr
		}'
}
