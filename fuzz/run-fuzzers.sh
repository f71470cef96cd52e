#!/bin/bash
# SPDX-License-Identifier: ISC
# run-fuzzers.sh — runs libFuzzer targets for a set time each, several at
# once, and says which found something. Called by `make fuzz` / `make fuzz-ci`.
#
# Usage: run-fuzzers.sh SECONDS BIN_DIR WORK_DIR SRC_DIR TARGET...
#   BIN_DIR/fuzz_TARGET is the libFuzzer binary; WORK_DIR/TARGET/ receives the
#   corpus it grows and any crashing input (crash-*, leak-*, timeout-*, oom-*);
#   the checked-in seeds (SRC_DIR/fuzz/corpus/TARGET) and regressions
#   (SRC_DIR/fuzz/regressions/TARGET) are read, never written.
# Environment: FUZZ_JOBS (how many at once; default: the number of CPUs),
#   FUZZ_FLAGS (extra libFuzzer flags).
# Exit status 0 only when every target ran its time without a finding.
set -u

if [ $# -lt 5 ]; then
	echo "usage: $0 SECONDS BIN_DIR WORK_DIR SRC_DIR TARGET..." >&2
	exit 2
fi
seconds=$1 bin_dir=$2 work_dir=$3 src_dir=$4
shift 4
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
case "$jobs" in ''|*[!0-9]*|0) jobs=1 ;; esac

# Longest input worth trying, and the dictionary, per target.
max_len() {
	case "$1" in
	json_body|player_create|battle_submit) echo 8192 ;;
	auth_header|jwt) echo 4400 ;;
	idempotency_key) echo 512 ;;
	*) echo 2048 ;;
	esac
}
dictionary() {
	case "$1" in
	json_body|player_create|battle_submit) echo json ;;
	media_type|query|router|auth_header|jwt) echo "$1" ;;
	*) echo "" ;;
	esac
}

run_one() {
	local target=$1 dir=$work_dir/$1 dict corpora=() kind
	mkdir -p "$dir/corpus"
	for kind in corpus regressions; do
		[ -d "$src_dir/fuzz/$kind/$target" ] && corpora+=("$src_dir/fuzz/$kind/$target")
	done
	dict=$(dictionary "$target")
	# shellcheck disable=SC2086
	"$bin_dir/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len "$target")" -print_final_stats=1 -artifact_prefix="$dir/" \
		${dict:+-dict="$src_dir/fuzz/dict/$dict.dict"} ${FUZZ_FLAGS:-} \
		"$dir/corpus" "${corpora[@]}" > "$dir.log" 2>&1
	echo $? > "$dir.status"
}

mkdir -p "$work_dir" || exit 2
for target in "$@"; do
	if [ ! -x "$bin_dir/fuzz_$target" ]; then
		echo "run-fuzzers: $bin_dir/fuzz_$target is missing" >&2
		exit 2
	fi
	rm -f "$work_dir/$target.status"
done

echo "run-fuzzers: $# targets, ${seconds}s each, $jobs at a time (logs in $work_dir)"
running=0
for target in "$@"; do
	run_one "$target" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

failed=0
for target in "$@"; do
	status=$(cat "$work_dir/$target.status" 2>/dev/null || echo 1)
	stats=$(grep -E '^stat::number_of_executed_units' "$work_dir/$target.log" | awk '{print $2}')
	cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$work_dir/$target.log" | tail -n 1 |
		sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/cov \1, ft \2, corpus \3/p')
	if [ "$status" = 0 ]; then
		printf 'ok   %-16s %s runs, %s\n' "$target" "${stats:-?}" "${cov:-?}"
	else
		failed=$((failed + 1))
		printf 'FAIL %-16s exit %s; log %s\n' "$target" "$status" "$work_dir/$target.log"
		grep -E 'ERROR|runtime error|invariant failed|SUMMARY|Test unit written' "$work_dir/$target.log" |
			head -n 12 | sed 's/^/     /'
		for artifact in "$work_dir/$target"/crash-* "$work_dir/$target"/leak-* \
				"$work_dir/$target"/timeout-* "$work_dir/$target"/oom-*; do
			[ -f "$artifact" ] || continue
			echo "     keep it: cp '$artifact' '$src_dir/fuzz/regressions/$target/', fix, and replay with make check"
		done
	fi
done
[ "$failed" -eq 0 ]
