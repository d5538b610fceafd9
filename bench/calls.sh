#!/bin/sh
# make bench, part 4: hotline calls bridged by kefu, a SIPp ramp on
# loopback (bench/calls.py; docs/performance.md, "Hotline calls"). Steps of
# concurrent calls (BENCH_CALL_STEPS, default 100 200 300 400 450 500 550 600
# 700 800 1000), each held BENCH_CALL_HOLD seconds (30) after all its calls are
# connected, until loss or late packets pass 0.1 %; then the call setup
# rate (BENCH_SETUP_RATES new calls a second). Takes up to about 25
# minutes; it is not part of make test.
set -eu

# make deps installs both (sipp is Debian's sip-tester).
for tool in sipp python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (make deps)" >&2; exit 1; }
done
# Two UDP sockets per call in kefu, more in SIPp: as many open files as allowed.
ulimit -n "$(ulimit -H -n)" 2>/dev/null || true
echo "open files: $(ulimit -n); RTP ports: $(cat /proc/sys/net/ipv4/ip_local_port_range | tr '\t' '-')"
exec python3 bench/calls.py
