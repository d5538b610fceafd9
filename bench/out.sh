#!/bin/sh
# make bench, part 5: calls out through the carrier's trunk (issue 17), SIPp
# on loopback playing the agents' phones, the carrier and the hotline's
# callers (bench/out.py; docs/performance.md, "Calls out"). The call setup
# rate of calls out (BENCH_OUT_RATES requests a second, default 5 10 20 30
# 40, BENCH_OUT_SECS 20 s each), then hotline calls and calls out at once
# (BENCH_OUT_MIX pairs, default 50 100 150, held BENCH_OUT_HOLD 30 s); each
# ramp stops at the first step with a call not answered or not recorded, or
# loss or late above 0.1 % (BENCH_OUT_BAR=0.01 for 1 %). Takes up to about
# 10 minutes; it is not part of make test.
set -eu

# make deps installs both (sipp is Debian's sip-tester).
for tool in sipp python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (make deps)" >&2; exit 1; }
done
ulimit -n "$(ulimit -H -n)" 2>/dev/null || true
exec python3 bench/out.py
