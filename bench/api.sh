#!/usr/bin/env bash
# Broadcast API benchmark: GET /api/streams/latest and /api/streams/live with 1,000 live
# broadcasts, on SQLite and on the machine's MariaDB. wrk measures the highest rate
# (one wrk thread, 32 connections); hey measures latency at a fixed 5,000 requests/s.
# Loopback only; every process it starts is stopped by PID at the end.
# Usage: bench/api.sh [SECONDS]   (default 10 s per measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null && command -v hey >/dev/null || {
  echo "bench/api.sh needs wrk and hey: apt-get install -y wrk hey" >&2; exit 1; }
cargo build --release --locked -p liboo 2>&1 | tail -1
cargo build --release --locked -p liboo-db --example seed 2>&1 | tail -1
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
port=18990

cpu_of() { awk '{print $14+$15}' "/proc/$1/stat"; }

run_engine() {
  local name=$1 url=$2
  echo "== $name: seeding 1,000 live broadcasts" >&2
  target/release/examples/seed "$url" 1000 2>/dev/null
  target/release/liboo serve --http-addr 127.0.0.1:$port --rtmp-addr 127.0.0.1:$((port+1)) \
    --data-dir "$work/$name" --database-url "$url" >/dev/null 2>"$work/$name.log" &
  local pid=$!; pids+=("$pid")
  for _ in $(seq 1 100); do curl -sf "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  local live="127.0.0.1:$port/api/streams/live?liveId=bench000000000000500"
  for path in "/api/streams/latest" "/api/streams/live?liveId=bench000000000000500"; do
    curl -sf "127.0.0.1:$port$path" >/dev/null || { echo "$path failed" >&2; cat "$work/$name.log" >&2; exit 1; }
    local c0; c0=$(cpu_of "$pid")
    local out; out=$(wrk -t1 -c32 -d"${secs}s" --latency "http://127.0.0.1:$port$path")
    local c1; c1=$(cpu_of "$pid")
    local rps; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    local p99; p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    local cpu_per_req; cpu_per_req=$(awk -v a="$c0" -v b="$c1" -v r="$rps" -v s="$secs" 'BEGIN {printf "%.1f", (b-a)/100/(r*s)*1e6}')
    local fixed; fixed=$(hey -z "${secs}s" -c 50 -q 100 "http://127.0.0.1:$port$path" | awk '/99%/ {print $3*1000 " ms"} /Requests\/sec/ {print "rps " $2}' | paste -sd' ')
    printf '| %s | `%s` | %s | %s | %s µs | %s |\n' "$name" "$path" "$rps" "$p99" "$cpu_per_req" "$fixed"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  port=$((port+10))
}

echo "| database | request | max requests/s (wrk, 32 conns) | p99 at max | server CPU per request | at a fixed 5,000/s (hey): achieved, p99 |"
echo "|---|---|---|---|---|---|"
run_engine sqlite "sqlite://$work/bench.db?mode=rwc"
db="liboo_bench_$$"
mariadb --protocol=tcp -h 127.0.0.1 -u root -e "CREATE DATABASE $db"
trap 'mariadb --protocol=tcp -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $db"; cleanup' EXIT
run_engine mariadb "mysql://root@127.0.0.1:3306/$db"
