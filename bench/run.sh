#!/bin/sh
# make bench: HTTP throughput and latency of kefu on loopback with wrk.
# Starts build/kefu on a temporary database with the demo center, fills the
# audit log to 10^6 entries, and measures the read paths at 64 connections.
# Figures go to standard output; docs/performance.md records them.
set -eu

# The tools the benchmarks drive kefu with (make bench installs them like make run does).
for tool in wrk curl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		[ "$(id -u)" -eq 0 ] || { echo "bench: install $tool" >&2; exit 1; }
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$tool" >/dev/null
	fi
done
BIN=${KEFU_BIN:-build/kefu}
DUR=${BENCH_SECONDS:-10}
CONN=${BENCH_CONNECTIONS:-64}
AUDIT_ROWS=${BENCH_AUDIT_ROWS:-1000000}
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT

$BIN init --demo --db "$dir/kefu.db" > "$dir/passwords.txt"
pw=$(awk '$1 == "8001" { print $3 }' "$dir/passwords.txt")

# Audit entries as the server writes them, spread over a year and 24 actors.
sqlite3 "$dir/kefu.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
  WHERE i < $AUDIT_ROWS) INSERT INTO audit(at, actor_id, actor, address, action, entity,
  entity_id, outcome, detail) SELECT 1764547200000 + i * 31, 1 + i % 24, 'bench', '127.0.0.1',
  CASE i % 3 WHEN 0 THEN 'person.update' WHEN 1 THEN 'login' ELSE 'department.update' END,
  'person', CAST(i % 5000 AS TEXT), 'ok', '{\"fields\":{}}' FROM n;"

$BIN serve --db "$dir/kefu.db" --listen 127.0.0.1:0 > "$dir/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 100); do
	port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$dir/log" 2>/dev/null || true)
	[ -n "$port" ] && break
	sleep 0.1
done
base="http://127.0.0.1:$port"
token=$(curl -s -X POST "$base/api/login" -H 'Content-Type: application/json' \
	-d "{\"work_no\":\"8001\",\"password\":\"$pw\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/')

run() {
	name=$1
	shift
	echo "== $name"
	wrk -t2 -c"$CONN" -d"${DUR}s" --latency -H "Authorization: Bearer $token" "$@" |
		grep -E 'Requests/sec|^ +(50|99)%|Non-2xx|Socket errors'
}

echo "kefu bench: $CONN connections, ${DUR}s each, audit log of $AUDIT_ROWS entries, $(nproc) cores"
run "GET /healthz" "$base/healthz"
run "GET /api/me (session lookup)" "$base/api/me"
run "GET /api/people?limit=50" "$base/api/people?limit=50"
run "GET /api/audit?limit=50 (newest)" "$base/api/audit?limit=50"
run "GET /api/audit?actor_id=7&limit=50" "$base/api/audit?actor_id=7&limit=50"
run "GET /api/audit?entity=person&entity_id=1234" "$base/api/audit?entity=person&entity_id=1234&limit=50"
run "GET /api/audit?action=login&cursor=500000" "$base/api/audit?action=login&cursor=500000&limit=50"
