#!/usr/bin/env bash
# Quick A/B of liboo's ingest alone: N real-time publishers of the 2.5 Mbit/s 720p30 file
# for D seconds; prints liboo's CPU (utime + stime) per stream per media second and its
# peak RSS. Extra liboo flags go in LIBOO_EXTRA, settings in LIBOO_* environment variables:
#
#   N=8 D=30 bench/ingest-quick.sh
#   LIBOO_RTMP_READ_BATCH_MS=0 N=8 D=30 bench/ingest-quick.sh
#   LIBOO_EXTRA="--frame-seconds 0" N=32 bench/ingest-quick.sh
#
# Not the benchmark (bench/ingest.sh runs nginx-rtmp and ffmpeg beside it): single runs
# differ by up to 30 % on a shared machine, so run each side two or three times.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-8}
D=${D:-30}
LIBOO_BIN=${LIBOO_BIN:-$ROOT/target/release/liboo}
PUBLISH_BIN=${PUBLISH_BIN:-$ROOT/target/release/liboo-publish}
if [ ! -x "$LIBOO_BIN" ] || [ ! -x "$PUBLISH_BIN" ]; then
  (cd "$ROOT" && cargo build --release -p liboo -p liboo-publish)
fi
WORK=$(mktemp -d /tmp/liboo-ingest-quick.XXXXXX)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -c:v libx264 -preset veryfast -g 30 -keyint_min 30 -sc_threshold 0 -b:v 2500k -pix_fmt yuv420p \
  -c:a aac -b:a 128k -t 20 -f flv "$WORK/in.flv"
http=127.0.0.1:$(port); rtmp=127.0.0.1:$(port)
# shellcheck disable=SC2086
"$LIBOO_BIN" serve --http-addr "$http" --rtmp-addr "$rtmp" --data-dir "$WORK/data" \
  --segment-seconds 2 --hls-format ts --rtmp-max-connections-per-ip 0 ${LIBOO_EXTRA:-} \
  > "$WORK/liboo.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -fsS "http://$http/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
for i in $(seq 1 "$N"); do
  curl -fsS -X POST -H 'content-type: application/json' -d "{\"userId\":\"quick$i\"}" \
    "http://$http/api/host/key" | jq -r .streamKey >> "$WORK/keys"
done
ticks() { sed 's/.*) //' "/proc/$PID/stat" | awk '{print $12 + $13}'; }
t0=$(ticks)
"$PUBLISH_BIN" "$WORK/in.flv" "rtmp://$rtmp/live" --keys-file "$WORK/keys" --duration "$D" --json \
  > "$WORK/publish.jsonl"
sleep 1
t1=$(ticks)
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$PID/status")
failed=$(grep -c '"ok":false' "$WORK/publish.jsonl" || true)
python3 -c "
tck = $(getconf CLK_TCK)
print(f'N=$N D=$D cpu_ms_per_stream_media_s={($t1 - $t0) * 1000 / tck / ($N * $D):.2f} ' \
      f'peak_rss_mib={$hwm / 1024:.1f} peak_rss_mib_per_stream={$hwm / 1024 / $N:.2f} failed=$failed')
"
