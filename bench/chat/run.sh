#!/usr/bin/env bash
# Chat fan-out benchmark: liboo (socketioxide) vs a Node socket.io 4.8 server with the same
# events (bench/chat/node-server). Loopback only; kills only the PIDs it started.
#
# For each server: one room of 1,000 clients, then 5,000, with 4 senders at rising aggregate
# rates (deliveries/s targets), each STEP_SECS long; then 10,000 idle socket.io connections
# for RSS per connection. Results: bench/chat/results/<stamp>/*.jsonl and summary.md.
#
# Env: STEP_SECS (10), ONLY (liboo|node), ROOMS ("1000 5000"; 10000 also works), T1000/T5000/
# T10000 (comma-separated deliveries/s targets), SKIP_5000=1, SKIP_IDLE=1, IDLE_N (10000).
# JOIN_RATE=n paces joins at n/s (chatload; default all at once). About 6 minutes with the defaults.
# ONLY_IDLE=1: only the idle phase, for liboo, node and bare (bench/chat/bare-server: socketioxide
# with liboo's chat config and a connect handler that does nothing; ONLY picks among the three),
# IDLE_RUNS times each (1), interleaved. LIBOO=path runs that liboo binary (target/release/liboo,
# built if stale); BENCH_TARGET is the cargo target dir of chatload and the bare server.
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
ROOT=$(cd ../.. && pwd)
ulimit -n 20000

STEP_SECS=${STEP_SECS:-10}
SENDERS=4
T1000=${T1000:-25000,50000,100000,150000,200000,250000,300000,400000}
T5000=${T5000:-25000,50000,75000,100000,150000,200000,250000}
T10000=${T10000:-25000,50000,75000,100000,150000}
ROOMS=${ROOMS:-1000 5000}
IDLE_N=${IDLE_N:-10000}
BENCH_TARGET=${BENCH_TARGET:-/work/target-chatbench}
LOAD=$BENCH_TARGET/release/chatload
BARE=$BENCH_TARGET/release/chat-bare-server
LIBOO_DEFAULT=$ROOT/target/release/liboo
LIBOO=${LIBOO:-$LIBOO_DEFAULT}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$HERE/results/$STAMP
mkdir -p "$OUT"
TMPD=$(mktemp -d /tmp/chatbench.XXXXXX)
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMPD"
}
trap cleanup EXIT

# build what is missing or stale
if [ "$LIBOO" = "$LIBOO_DEFAULT" ] && { [ ! -x "$LIBOO" ] || [ -n "$(find "$ROOT/crates" "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" -newer "$LIBOO" -type f -print -quit)" ]; }; then
  (cd "$ROOT" && cargo build --release -p liboo)
fi
(cd "$HERE/load" && CARGO_TARGET_DIR="$BENCH_TARGET" cargo build --release -q)
(cd "$HERE/bare-server" && CARGO_TARGET_DIR="$BENCH_TARGET" cargo build --release -q)
[ -d "$HERE/node-server/node_modules" ] || (cd "$HERE/node-server" && npm ci --no-audit --no-fund)

PORT=$((20000 + RANDOM % 20000))
url() { echo "ws://127.0.0.1:$1/chat/socket.io/?EIO=4&transport=websocket"; }

wait_port() {
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2; return 1
}

# start_server KIND: sets SERVER_PID, SRV_PORT, ROOM
start_server() {
  PORT=$((PORT + 3)); SRV_PORT=$PORT
  if [ "$1" = liboo ]; then
    local d="$TMPD/liboo-$PORT"; mkdir -p "$d"
    "$LIBOO" serve --http-addr "127.0.0.1:$PORT" --rtmp-addr "127.0.0.1:$((PORT + 1))" --data-dir "$d" \
      --chat-rate-limit 0 --chat-max-connections-per-ip 0 >"$d/log" 2>&1 &
    SERVER_PID=$!
    wait_port "$PORT"
    ROOM=$(curl -sf -XPOST -H 'content-type: application/json' -d '{"userId":"bench-host-1"}' \
      "http://127.0.0.1:$PORT/api/host/key" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sessionKey"])')
  elif [ "$1" = bare ]; then
    "$BARE" "$PORT" >"$TMPD/bare-$PORT.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$PORT"
    ROOM=benchroom
  else
    node "$HERE/node-server/server.js" "$PORT" >"$TMPD/node-$PORT.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$PORT"
    ROOM=benchroom
  fi
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  sleep 2
}

idle_phase() { # KIND
  start_server "$1"
  sleep 1
  echo "== $1, $IDLE_N idle connections"
  timeout 120 "$LOAD" idle "$(url "$SRV_PORT")" "$IDLE_N" "$SERVER_PID" | tee -a "$OUT/idle-$1.jsonl" || true
  stop_server
}

if [ -n "${ONLY_IDLE:-}" ]; then
  for _ in $(seq "${IDLE_RUNS:-1}"); do
    for kind in ${ONLY:-liboo node bare}; do idle_phase "$kind"; done
  done
  ROOMS=""
fi

SERVERS=${ONLY:-liboo node}
for clients in $ROOMS; do
  [ "$clients" = 5000 ] && [ -n "${SKIP_5000:-}" ] && continue
  tv="T$clients"; targets=${!tv}
  for kind in $SERVERS; do
    start_server "$kind"
    echo "== $kind, room of $clients, targets $targets (pid $SERVER_PID, port $SRV_PORT)"
    timeout 600 "$LOAD" rate "$(url "$SRV_PORT")" "$ROOM" "$clients" "$SENDERS" "$SERVER_PID" "$STEP_SECS" "$targets" \
      2> >(sed "s/^/  [$kind] /" >&2) | tee "$OUT/rate-$kind-$clients.jsonl" || true
    stop_server
  done
  if [ "$clients" = 1000 ] && [ -z "${SKIP_IDLE:-}" ]; then
    for kind in $SERVERS; do idle_phase "$kind"; done
  fi
done

{
  echo "# chat bench $STAMP"
  echo "host: $(nproc) cores, $(uname -r), load avg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 "$HERE/summary.py" "$OUT"
} | tee "$OUT/summary.md"
