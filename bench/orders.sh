#!/bin/sh
# make bench, part 2: work orders (issue: WO benchmarks).
#  1. Order creation at 64 connections under each durability setting.
#  2. Department queue, overdue list and search at 10^4, 10^5 and 10^6 orders.
# Prints wrk's figures; docs/performance.md records them with this command.
set -eu

BIN=${KEFU_BIN:-build/kefu}
SEED=${KEFU_SEED:-build/bench/seed}
DUR=${BENCH_SECONDS:-10}
CONN=${BENCH_CONNECTIONS:-64}
SIZES=${BENCH_SIZES:-"10000 100000 1000000"}
dir=$(mktemp -d)
pid=""
trap 'stop; rm -rf "$dir"' EXIT

stop() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		pid=""
	fi
}

start() { # durability
	rm -f "$dir/log"
	KEFU_DURABILITY=$1 $BIN serve --db "$dir/kefu.db" --listen 127.0.0.1:0 > "$dir/log" 2>&1 &
	pid=$!
	port=""
	for _ in $(seq 100); do
		port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$dir/log" 2>/dev/null || true)
		[ -n "$port" ] && break
		sleep 0.1
	done
	base="http://127.0.0.1:$port"
}

token() { # work number
	pw=$(awk -v w="$1" '$1 == w { print $3 }' "$dir/passwords.txt")
	curl -s -X POST "$base/api/login" -H 'Content-Type: application/json' \
		-d "{\"work_no\":\"$1\",\"password\":\"$pw\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/'
}

fresh() {
	rm -f "$dir"/kefu.db*
	$BIN init --demo --db "$dir/kefu.db" > "$dir/passwords.txt" 2>/dev/null
}

run() { # name, wrk args...
	name=$1
	shift
	printf '== %s\n' "$name"
	wrk -t"$([ "$CONN" -lt 2 ] && echo 1 || echo 2)" -c"$CONN" -d"${DUR}s" --latency "$@" |
		grep -E 'Requests/sec|^ +(50|99)%|Non-2xx|Socket errors'
}

echo "kefu order bench: $CONN connections, ${DUR}s each, $(nproc) cores"
for durability in normal full fsync_each; do
	fresh
	start "$durability"
	agent=$(token 8101)
	run "POST /api/orders, durability=$durability" -s bench/create_order.lua \
		-H "Authorization: Bearer $agent" "$base/api/orders"
	# One client: the service time, without queueing behind the single writer.
	CONN=1 run "POST /api/orders, durability=$durability, 1 connection" \
		-s bench/create_order.lua -H "Authorization: Bearer $agent" "$base/api/orders"
	stop
done

for n in $SIZES; do
	fresh
	$SEED "$dir/kefu.db" "$n" > /dev/null
	start normal
	mgr=$(token 8001)
	dept=$(sqlite3 "$dir/kefu.db" "SELECT id FROM department WHERE name = '城市客服部'")
	H="Authorization: Bearer $mgr"
	echo "-- $n orders"
	run "queue: view=department&department_id=$dept (open orders)" -H "$H" \
		"$base/api/orders?view=department&department_id=$dept&limit=50"
	run "overdue: view=overdue" -H "$H" "$base/api/orders?view=overdue&limit=50"
	run "all A1, newest 50" -H "$H" "$base/api/orders?class=A1&limit=50"
	run "search one character: q=车" -H "$H" "$base/api/orders?q=%E8%BD%A6&limit=50"
	run "search two characters: q=划痕" -H "$H" "$base/api/orders?q=%E5%88%92%E7%97%95&limit=50"
	run "search phrase: q=退款未到账" -H "$H" \
		"$base/api/orders?q=%E9%80%80%E6%AC%BE%E6%9C%AA%E5%88%B0%E8%B4%A6&limit=50"
	stop
done
