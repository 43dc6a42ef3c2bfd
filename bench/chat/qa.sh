#!/usr/bin/env bash
# Moderated Q&A under load (issue 18): one room of CLIENTS where ACTIVE of them upvote a
# question and vote in a poll each second while chat runs at CHAT rate (messages/s), for
# SECS seconds; one run per CHAT rate. Loopback only; kills only the PIDs it started.
# Results: bench/chat/results/<stamp>/qa-*.jsonl and summary.md.
#
# Env: CLIENTS (5000), ACTIVE (500), SECS (30), CHATS ("20 1000": messages/s per run),
# DB (sqlite, the default, or mariadb: a fresh database on the local MariaDB per run),
# LIBOO=path (target/release/liboo, built if stale), BENCH_TARGET (chatload's target dir).
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
ROOT=$(cd ../.. && pwd)
ulimit -n 20000

CLIENTS=${CLIENTS:-5000}
ACTIVE=${ACTIVE:-500}
SECS=${SECS:-30}
CHATS=${CHATS:-20 1000}
BENCH_TARGET=${BENCH_TARGET:-/work/target-chatbench}
LOAD=$BENCH_TARGET/release/chatload
LIBOO_DEFAULT=$ROOT/target/release/liboo
LIBOO=${LIBOO:-$LIBOO_DEFAULT}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$HERE/results/$STAMP
mkdir -p "$OUT"
TMPD=$(mktemp -d /tmp/qabench.XXXXXX)
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMPD"
}
trap cleanup EXIT

if [ "$LIBOO" = "$LIBOO_DEFAULT" ] && { [ ! -x "$LIBOO" ] || [ -n "$(find "$ROOT/crates" "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" -newer "$LIBOO" -type f -print -quit)" ]; }; then
  echo "building liboo (release)..." >&2
  (cd "$ROOT" && cargo build --release -p liboo)
fi
echo "building chatload..." >&2
(cd "$HERE/load" && CARGO_TARGET_DIR="$BENCH_TARGET" cargo build --release -q)

PORT=$((20000 + RANDOM % 20000))
for chat in $CHATS; do
  PORT=$((PORT + 3))
  d="$TMPD/liboo-$PORT"; mkdir -p "$d"
  DBARGS=()
  if [ "${DB:-sqlite}" = mariadb ]; then
    name="liboo_qabench_$PORT"
    mariadb -uroot -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name"
    DBARGS=(--database-url "mysql://root@127.0.0.1:3306/$name")
  fi
  "$LIBOO" serve "${DBARGS[@]}" --http-addr "127.0.0.1:$PORT" --rtmp-addr "127.0.0.1:$((PORT + 1))" --data-dir "$d" \
    --chat-rate-limit 0 --chat-max-connections-per-ip 0 >"$d/log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
  HOST=qa-bench-host
  ROOM=$(curl -sf -XPOST -H 'content-type: application/json' -d "{\"userId\":\"$HOST\"}" \
    "http://127.0.0.1:$PORT/api/host/key" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sessionKey"])')
  echo "== room of $CLIENTS, $ACTIVE voting a second, chat at $chat/s, $SECS s (pid $SERVER_PID)" >&2
  timeout 900 "$LOAD" qa "ws://127.0.0.1:$PORT/chat/socket.io/?EIO=4&transport=websocket" "$ROOM" "$HOST" \
    "$CLIENTS" "$SERVER_PID" "$SECS" "$ACTIVE" "$chat" | tee "$OUT/qa-${DB:-sqlite}-chat$chat.jsonl" || true
  kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  # What the server warned of, by kind (most frequent first), before its shutdown.
  [ "${DB:-sqlite}" = mariadb ] && mariadb -uroot -e "DROP DATABASE IF EXISTS liboo_qabench_$PORT"
  grep -E "WARN|ERROR" "$d/log" | grep -v "closed pool" | sed -E 's/^[^ ]+ +//' | cut -c1-240 \
    | sort | uniq -c | sort -rn | head -20 > "$OUT/qa-${DB:-sqlite}-chat$chat.server-warnings.log" || true
  sleep 2
done
echo "results in $OUT" >&2
