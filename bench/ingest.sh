#!/usr/bin/env bash
# Ingest benchmark: liboo vs nginx-rtmp vs ffmpeg (-c copy -f hls), N concurrent 2.5 Mbit/s
# 720p30 publishers each, on loopback. See docs/BENCHMARKS.md ("Ingest") for the method.
#
#   bench/ingest.sh                         # N = 1 8 32, 60 s each
#   BENCH_SECONDS=30 BENCH_NS="1 8" bench/ingest.sh
#
# Env: BENCH_SECONDS (media seconds per run, default 60), BENCH_NS (default "1 8 32"),
# BENCH_SERVERS (default "liboo nginx ffmpeg"), LIBOO_BIN, PUBLISH_BIN (default: release builds
# in target/, built if missing), BENCH_OUT (results TSV, default bench/results/ingest-DATE.tsv).
# Everything runs under one temp dir; only processes started here are killed, by PID.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${BENCH_SECONDS:-60}
NS=${BENCH_NS:-"1 8 32"}
SERVERS=${BENCH_SERVERS:-"liboo nginx ffmpeg"}
HERE="$ROOT/bench"
LIBOO_BIN=${LIBOO_BIN:-$ROOT/target/release/liboo}
PUBLISH_BIN=${PUBLISH_BIN:-$ROOT/target/release/liboo-publish}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${BENCH_OUT:-$HERE/results/ingest-$STAMP.tsv}
TCK=$(getconf CLK_TCK)

for tool in ffmpeg nginx python3 curl jq ss /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install ffmpeg nginx libnginx-mod-rtmp python3 curl jq iproute2 time)" >&2; exit 2; }
done
NGINX_RTMP_MODULE=${NGINX_RTMP_MODULE:-/usr/lib/nginx/modules/ngx_rtmp_module.so}
[ -f "$NGINX_RTMP_MODULE" ] || { echo "missing $NGINX_RTMP_MODULE (apt-get install libnginx-mod-rtmp)" >&2; exit 2; }
if [ ! -x "$LIBOO_BIN" ] || [ ! -x "$PUBLISH_BIN" ]; then
  (cd "$ROOT" && cargo build --release -p liboo -p liboo-publish)
fi

WORK=$(mktemp -d /tmp/liboo-ingest-bench.XXXXXX)
. "$HERE/lib.sh"
trap 'exit 130' INT TERM

echo "== generating the 20 s 2.5 Mbit/s 720p30 test file" >&2
FLV=$WORK/bench.flv
ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -c:v libx264 -preset veryfast -g 30 -keyint_min 30 -sc_threshold 0 -b:v 2500k -pix_fmt yuv420p \
  -c:a aac -b:a 128k -t 20 -f flv "$FLV"

mkdir -p "$(dirname "$OUT")"
printf 'server\tn\tmedia_s\tcpu_s\tcpu_ms_per_stream_media_s\tpeak_rss_mb\tpeak_rss_mb_per_stream\tidle_rss_mb\trss_growth_mb_per_stream\tsegments\tdelay_median_ms\tdelay_p95_ms\tdelay_max_ms\tpublish_failures\tpublisher_max_late_ms\n' > "$OUT"

# publish RUN_DIR KEYS_FILE URL: all publishers at once, paced in real time.
publish() {
  timeout $((SECS + 90)) "$PUBLISH_BIN" "$FLV" "$3" --keys-file "$2" --duration "$SECS" --json \
    > "$1/publish.jsonl" 2> "$1/publish.err" || true
}

# record SERVER N RUN_DIR CPU0 CPU1 HWM IDLE_RSS [MAP]
record() {
  local server=$1 n=$2 dir=$3 cpu=$(( $5 - $4 )) hwm=$6 idle=$7 map=${8:-}
  local d; d=$(python3 "$HERE/segwatch.py" delay "$dir/segments.jsonl" "$dir/publish.jsonl" $map)
  local fails; fails=$(grep -c '"ok":false' "$dir/publish.jsonl" || true)
  local late; late=$(jq -s 'map(.maxLateMs // 0) | max // 0' "$dir/publish.jsonl")
  python3 - "$server" "$n" "$SECS" "$cpu" "$TCK" "$hwm" "$idle" "$d" "$fails" "$late" >> "$OUT" <<'PY'
import json, sys
server, n, secs, cpu, tck, hwm, idle, d, fails, late = sys.argv[1:]
n, secs, cpu_s = int(n), float(secs), int(cpu) / int(tck)
hwm_mb, idle_mb, d = int(hwm) / 1024, int(idle) / 1024, json.loads(d)
print("\t".join(str(x) for x in [server, n, secs, round(cpu_s, 2),
      round(cpu_s * 1000 / (n * secs), 2), round(hwm_mb, 1), round(hwm_mb / n, 2), round(idle_mb, 1), round((hwm_mb - idle_mb) / n, 2),
      d.get("segments", 0), d.get("median", ""), d.get("p95", ""), d.get("max", ""), fails, late]))
PY
  tail -1 "$OUT" >&2
}

watch_start() { python3 "$HERE/segwatch.py" watch "$1" "$2/segments.jsonl" & WATCH=$!; STARTED+=("$WATCH"); }
watch_stop() { kill "$WATCH" 2>/dev/null || true; wait "$WATCH" 2>/dev/null || true; }

run_liboo() {
  local n=$1 dir=$WORK/liboo-$n http rtmp
  mkdir -p "$dir/data"
  http=127.0.0.1:$(free_port); rtmp=127.0.0.1:$(free_port)
  "$LIBOO_BIN" serve --http-addr "$http" --rtmp-addr "$rtmp" --data-dir "$dir/data" \
    --segment-seconds 2 --reconnect-grace 0.5 --hls-format ts --rtmp-max-connections-per-ip 0 \
    > "$dir/stdout" 2> "$dir/stderr" &
  local pid=$!; STARTED+=("$pid")
  wait_listen "${rtmp##*:}"; wait_listen "${http##*:}"
  : > "$dir/keys"; : > "$dir/map"
  for i in $(seq 1 "$n"); do
    local k; k=$(curl -fsS -X POST -H 'content-type: application/json' -d "{\"userId\":\"bench$i\"}" "http://$http/api/host/key")
    echo "$k" | jq -r .streamKey >> "$dir/keys"
    echo "$(echo "$k" | jq -r .sessionKey) $(echo "$k" | jq -r .streamKey)" >> "$dir/map"
  done
  mkdir -p "$dir/data/media/live"
  local idle; idle=$(rss_kb "$pid")
  watch_start "$dir/data/media/live" "$dir"
  local c0; c0=$(cpu_ticks "$pid")
  publish "$dir" "$dir/keys" "rtmp://$rtmp/live"
  sleep 2 # the last segments and the replay playlist
  local c1 hwm
  c1=$(cpu_ticks "$pid"); hwm=$(hwm_kb "$pid")
  watch_stop
  kill "$pid"; wait "$pid" 2>/dev/null || true
  record liboo "$n" "$dir" "$c0" "$c1" "$hwm" "$idle" "$dir/map"
}

run_nginx() {
  local n=$1 dir=$WORK/nginx-$n port
  mkdir -p "$dir/prefix/logs" "$dir/hls"
  port=$(free_port)
  cat > "$dir/nginx.conf" <<CONF
load_module $NGINX_RTMP_MODULE;
user $(id -un) $(id -gn);
worker_processes 1;
pid $dir/prefix/nginx.pid;
error_log $dir/prefix/logs/error.log warn;
events { worker_connections 4096; }
rtmp {
  server {
    listen 127.0.0.1:$port;
    chunk_size 4096;
    application live {
      live on;
      record off;
      hls on;
      hls_path $dir/hls;
      hls_nested on;
      hls_fragment 2s;
      hls_playlist_length 20s;
    }
  }
}
CONF
  # As root, the "user" line keeps the worker able to write into the 0700 temp dir.
  nginx -p "$dir/prefix" -c "$dir/nginx.conf" -g 'daemon off;' 2> "$dir/stderr" &
  local pid=$!; STARTED+=("$pid")
  wait_listen "$port"
  seq 1 "$n" | sed 's/^/s/' > "$dir/keys"
  local idle; idle=$(rss_kb "$pid")
  watch_start "$dir/hls" "$dir"
  local c0; c0=$(cpu_ticks "$pid")
  publish "$dir" "$dir/keys" "rtmp://127.0.0.1:$port/live"
  sleep 2
  local c1 hwm
  c1=$(cpu_ticks "$pid"); hwm=$(hwm_kb "$pid")
  watch_stop
  kill "$pid"; wait "$pid" 2>/dev/null || true
  record nginx "$n" "$dir" "$c0" "$c1" "$hwm" "$idle"
}

# One `ffmpeg -listen 1 -i rtmp://... -c copy -f hls` per stream; each ffmpeg runs under
# /usr/bin/time, whose rusage covers the whole process (so ffmpeg's start-up is included).
run_ffmpeg() {
  local n=$1 dir=$WORK/ffmpeg-$n
  mkdir -p "$dir/hls"
  : > "$dir/keys"
  local pids=()
  for i in $(seq 1 "$n"); do
    local port; port=$(free_port)
    mkdir -p "$dir/hls/s$i"
    /usr/bin/time -f '%U %S %M' -o "$dir/time-$i" \
      ffmpeg -nostdin -v error -listen 1 -i "rtmp://127.0.0.1:$port/live/s$i" -c copy -f hls \
      -hls_time 2 -hls_list_size 10 -hls_segment_filename "$dir/hls/s$i/seg%05d.ts" \
      "$dir/hls/s$i/index.m3u8" 2> "$dir/ffmpeg-$i.err" &
    pids+=($!); STARTED+=($!)
    echo "rtmp://127.0.0.1:$port/live/s$i" >> "$dir/keys"
    wait_listen "$port"
  done
  watch_start "$dir/hls" "$dir"
  publish "$dir" "$dir/keys" "rtmp://127.0.0.1:1/live"
  for p in "${pids[@]}"; do timeout 20 tail --pid="$p" -f /dev/null || kill "$p" 2>/dev/null || true; done
  watch_stop
  local cpu hwm
  cpu=$(cat "$dir"/time-* | awk -v t="$TCK" '{s += ($1 + $2) * t} END {printf "%d", s}')
  hwm=$(cat "$dir"/time-* | awk '{s += $3} END {print s}')
  record ffmpeg "$n" "$dir" 0 "$cpu" "$hwm" 0
}

echo "== $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $SECS s per run; N = $NS" >&2
for n in $NS; do
  for s in $SERVERS; do
    echo "== $s, $n streams" >&2
    ulimit -n 20000 2>/dev/null || true
    "run_$s" "$n"
  done
done
echo "== results: $OUT" >&2
column -t -s $'\t' "$OUT"
