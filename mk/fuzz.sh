#!/bin/sh
# make fuzz (docs/fuzzing.md): runs each libFuzzer target of build-fuzz/fuzz/
# for SECONDS over its working corpus, build-fuzz/corpus/NAME (the seeds of
# tests/fuzz/corpus/NAME are read alongside, and what the run discovers is
# kept for the next run). Findings (crash-, leak-, timeout-, oom- files)
# go to build-fuzz/findings/NAME/. Prints the executions of each target and
# a total; exits 1 when any target found something.
# Usage: mk/fuzz.sh SECONDS NAME...
set -u
seconds=$1
shift
total=0
found=0
printf '%-10s %14s %8s %s\n' target executions exec/s findings
for name in "$@"; do
	bin=build-fuzz/fuzz/fuzz_$name
	work=build-fuzz/corpus/$name
	out=build-fuzz/findings/$name
	log=build-fuzz/logs/$name.log
	mkdir -p "$work" "$out" build-fuzz/logs
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$out/" "$work" "tests/fuzz/corpus/$name" \
		> "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	runs=${runs:-0}
	n=$(find "$out" -type f | wc -l)
	if [ "$rc" -ne 0 ] && [ "$n" -eq 0 ]; then
		n=1 # stopped without leaving an input: see the log
	fi
	printf '%-10s %14s %8s %s\n' "$name" "$runs" "${rate:-0}" "$n"
	if [ "$n" -ne 0 ]; then
		found=$((found + n))
		echo "  see $log and $out/" >&2
	fi
	total=$((total + runs))
done
echo "fuzz: $total executions in total, $found findings"
[ "$found" -eq 0 ]
