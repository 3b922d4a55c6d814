#!/usr/bin/env bash
# make bench: the scenarios of docs/performance.md against freshly started
# servers, the Go micro-benchmarks, and the table of every target with its figure.
#
# Each scenario gets a server process of its own (same data directory, so the
# pool of users signed up once stays valid), pinned to one core with taskset,
# and the load generator pinned to another. Results go to bench/results/
# (JSON lines and the printed table), docs/performance.md and its S4 chart.
#
# Knobs (environment): BENCH_S2_DURATION (default 300s), BENCH_QUICK=1 (short
# runs to check the pipeline, not to quote), BENCH_PG_URL (the PostgreSQL
# server to create a scratch database on; empty skips S5 on PostgreSQL),
# BENCH_SCENARIOS (default "S1 S2 S3 S4 S5-sqlite S5-postgres cluster").
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/bench/results"
PG_URL=${BENCH_PG_URL-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
SCENARIOS=${BENCH_SCENARIOS:-S1 S2 S3 S4 S5-sqlite S5-postgres cluster}
S2_DURATION=${BENCH_S2_DURATION:-300s}
STEP=20s       # publishing time of S1, S5
S4_STEP=8s     # publishing time of each S4 step
S3_CONNS=19500 # a process here may open 20,000 files: client and server stay under it
S3_IDLE=30s
USERS=2000
if [ "${BENCH_QUICK:-}" = 1 ]; then
	S2_DURATION=20s STEP=5s S4_STEP=4s S3_CONNS=5000 S3_IDLE=5s USERS=500
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sala-bench.XXXXXX")
SERVER_PID=""
PG_DB=""
cleanup() {
	stop_server
	if [ -n "$PG_DB" ]; then dropdb --if-exists --maintenance-db="$PG_URL" "$PG_DB" >/dev/null 2>&1 || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '\n### %s\n' "$*" >&2; }

# Pin the server and the load generator to different cores when there are two.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	PIN_SERVER="taskset -c 0" PIN_BENCH="taskset -c 1"
	PINNING="server pinned to core 0, load generator to core 1 (taskset)"
else
	PIN_SERVER="" PIN_BENCH=""
	PINNING="server and load generator share the machine's only core"
fi
# On a shared machine, other work on those cores skews every figure: when
# allowed (root), both run at a higher priority (BENCH_NICE, default -10).
NICE=${BENCH_NICE:-}
if [ -z "$NICE" ] && [ "$(id -u)" = 0 ]; then NICE=-10; fi
if [ -n "$NICE" ] && [ "$NICE" != 0 ]; then
	PIN_SERVER="nice -n $NICE $PIN_SERVER" PIN_BENCH="nice -n $NICE $PIN_BENCH"
	PINNING="$PINNING, both at nice $NICE"
fi

# free_port prints a TCP port nothing listens on.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		if ! ss -Htln "sport = :$p" | grep -q .; then echo "$p"; return; fi
	done
}

# start_server NAME PORT [DATABASE_URL]: a fresh server process; sets SERVER_PID.
start_server() {
	local name=$1 port=$2 db=${3:-}
	: >"$WORK/server-$name.log"
	env SALA_ADDR="127.0.0.1:$port" SALA_DATA_DIR="$WORK/data-${db:+pg}" SALA_DATABASE_URL="$db" \
		SALA_MSG_RATE=100000:100000 SALA_SIGNUP_RATE=0 SALA_MAX_CONNS_PER_ADDR=0 SALA_LOG_FORMAT=json SALA_LOG_LEVEL=info \
		SALA_SHUTDOWN_GRACE=5s $PIN_SERVER "$WORK/sala" serve >>"$WORK/server-$name.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 100); do
		# Our own process must be the one serving: another may hold the port.
		if grep -q "sala is serving.*\"addr\":\"127.0.0.1:$port\"" "$WORK/server-$name.log"; then return; fi
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
		sleep 0.1
	done
	cat "$WORK/server-$name.log" >&2
	echo "bench: the server for $name did not start" >&2
	exit 1
}

stop_server() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID"
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	SERVER_PID=""
}

# scenario NAME PORT [DATABASE_URL] -- sala-bench run flags...
scenario() {
	local name=$1 port=$2 db=$3
	shift 4
	log "$name"
	start_server "$name" "$port" "$db"
	$PIN_BENCH "$WORK/sala-bench" run -name "$name" -addr "127.0.0.1:$port" -pid "$SERVER_PID" \
		-cache "$WORK/tokens.json" -out "$WORK/results.jsonl" "$@" | tee -a "$WORK/scenarios.txt" | grep -v '^{' || true
	stop_server
	sleep 2 # let the closed sockets' TIME_WAIT and the machine settle
}

log "building (server and load generator) in $WORK"
cd "$ROOT/backend"
go build -trimpath -o "$WORK/sala" ./cmd/sala
go build -trimpath -o "$WORK/sala-bench" ./cmd/sala-bench

log "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); load average $(cut -d' ' -f1-3 /proc/loadavg)"

log "Go micro-benchmarks (-benchmem, pinned like the server)"
: >"$WORK/micro.txt"
for pkg in chat hub store; do
	go test -c -o "$WORK/$pkg.test" "./internal/$pkg" # compile unpinned, run pinned
	(cd "internal/$pkg" && SALA_TEST_DATABASE_URL="$PG_URL" $PIN_SERVER "$WORK/$pkg.test" -test.run '^$' \
		-test.bench . -test.benchmem -test.count 1) | tee -a "$WORK/micro.txt" | grep -E '^(Benchmark|FAIL|---)' || true
done

PORT=$(free_port)
wants() { [[ " $SCENARIOS " == *" $1 "* ]]; }

if wants S1 || wants S2 || wants S3 || wants S4 || wants S5-sqlite; then
	log "signing up $USERS users (SQLite; once: argon2id costs the server ~30 ms each)"
	start_server users "$PORT"
	$PIN_BENCH "$WORK/sala-bench" users -addr "127.0.0.1:$PORT" -users "$USERS" -cache "$WORK/tokens.json"
	stop_server
fi

common=(-users "$USERS" -size 128 -drain 3s)
wants S1 && scenario S1 "$PORT" "" -- "${common[@]}" -conns 1000 -rooms 1 -publishers 10 -rate 100 -duration "$STEP"
wants S2 && scenario S2 "$PORT" "" -- "${common[@]}" -conns 2000 -rooms 200 -rate 2000 -duration "$S2_DURATION" -sample 10s
wants S3 && scenario S3 "$PORT" "" -- "${common[@]}" -conns "$S3_CONNS" -rooms 100 -idle "$S3_IDLE" -srcips 4 -concurrency 128 -enter resume
wants S4 && scenario S4 "$PORT" "" -- "${common[@]}" -conns 1000 -rooms 1 -publishers 50 -rate 100 -search -factor 1.5 \
	-refine 3 -max-p99 100ms -duration "$S4_STEP"
wants S5-sqlite && scenario S5-sqlite "$PORT" "" -- "${common[@]}" -conns 2000 -rooms 200 -rate 20000 -duration "$STEP"

if wants S5-postgres; then
	if [ -n "$PG_URL" ] && psql -d "$PG_URL" -Atc 'select 1' >/dev/null 2>&1; then
		PG_DB="sala_bench_$$_$RANDOM"
		createdb --maintenance-db="$PG_URL" "$PG_DB"
		PG_DB_URL=$(printf '%s' "$PG_URL" | sed -E "s#/[^/?]*(\?|$)#/$PG_DB\1#")
		PG_PORT=$(free_port)
		log "signing up $USERS users (PostgreSQL, database $PG_DB)"
		start_server users-pg "$PG_PORT" "$PG_DB_URL"
		$PIN_BENCH "$WORK/sala-bench" users -addr "127.0.0.1:$PG_PORT" -users "$USERS" -cache "$WORK/tokens.json"
		stop_server
		scenario S5-postgres "$PG_PORT" "$PG_DB_URL" -- "${common[@]}" -conns 2000 -rooms 200 -rate 20000 -duration "$STEP"
	else
		log "S5-postgres skipped: PostgreSQL at BENCH_PG_URL is not reachable"
	fi
fi

# The fan-out across nodes: one node without NATS, then clusters of
# 1, 2 and 3 `sala serve` processes on PostgreSQL and a nats-server of the
# test's own (not pinned: the nodes share both cores with the clients).
if wants cluster; then
	if [ -n "$PG_URL" ] && psql -d "$PG_URL" -Atc 'select 1' >/dev/null 2>&1 && command -v nats-server >/dev/null; then
		log "cluster fan-out on 1, 2 and 3 nodes"
		(cd "$ROOT/backend" && SALA_BENCH_CLUSTER=1 SALA_TEST_DATABASE_URL="$PG_URL" \
			go test -count=1 -run '^TestClusterFanoutBench$' -timeout 15m -v ./cmd/sala) >"$WORK/cluster.log" 2>&1 ||
			{ cat "$WORK/cluster.log" >&2; echo "bench: the cluster fan-out failed" >&2; exit 1; }
		awk '/^fan-out over/ { p = 1 } p && /^--- / { exit } p' "$WORK/cluster.log" >"$WORK/cluster.md"
		cat "$WORK/cluster.md"
	else
		log "cluster fan-out skipped: needs PostgreSQL at BENCH_PG_URL and nats-server"
	fi
fi

mkdir -p "$OUT"
cp "$WORK/results.jsonl" "$OUT/latest.jsonl"
cp "$WORK/micro.txt" "$OUT/latest-micro.txt"
if [ -s "$WORK/cluster.md" ]; then cp "$WORK/cluster.md" "$OUT/latest-cluster.md"; fi
doc_args=()
if [ "${BENCH_QUICK:-}" != 1 ]; then # quick runs don't overwrite the published figures
	doc_args=(-doc "$ROOT/docs/performance.md" -svg "$ROOT/docs/performance-s4.svg" -svg-link performance-s4.svg)
fi
"$WORK/sala-bench" report -results "$WORK/results.jsonl" -micro "$WORK/micro.txt" \
	-note "$PINNING; PostgreSQL $(psql -d "$PG_URL" -Atc 'show server_version' 2>/dev/null || echo 'not used') (not pinned)." \
	"${doc_args[@]}" | tee "$OUT/latest.txt"
if [ -s "$WORK/cluster.md" ]; then
	tee -a "$OUT/latest.txt" <"$WORK/cluster.md"
	if [ "${BENCH_QUICK:-}" != 1 ]; then # the cluster table goes between its markers in the doc
		awk -v table="$WORK/cluster.md" '
			/<!-- bench:cluster:end/ { skip = 0 }
			!skip { print }
			/<!-- bench:cluster:start/ { skip = 1; print ""; while ((getline line < table) > 0) print line }
		' "$ROOT/docs/performance.md" >"$WORK/performance.md" && cp "$WORK/performance.md" "$ROOT/docs/performance.md"
	fi
fi
