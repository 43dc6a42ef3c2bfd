#!/usr/bin/env bash
# Glass-to-glass latency: liboo LL-HLS vs liboo classic HLS (MPEG-TS, 1 s segments) vs
# nginx-rtmp HLS (1 s fragments), one publisher teed to all three, read back by hls.js in
# headless Chromium. See README.md here and docs/BENCHMARKS.md ("Glass-to-glass latency").
#
#   bench/latency/run.sh
#   BENCH_SECONDS=30 WARMUP=10 PHASES=default bench/latency/run.sh
#
# Env: BENCH_SECONDS (samples per phase, default 60), WARMUP (seconds of playback before
# sampling, default 20), PHASES (default "default tuned default": see below), LL_SEGMENT (liboo LL --segment-seconds, default 2 = liboo's
# default), LIBOO_BIN (default target/debug/liboo), CHROMIUM (/usr/bin/chromium), KEEP_WORK=1.
# Writes bench/latency/results/<UTC stamp>.json and prints a table. Not part of scripts/test.
# Everything runs under one temp dir on loopback; only the PIDs started here are killed.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SECS=${BENCH_SECONDS:-60}
WARMUP=${WARMUP:-20}
PHASES=${PHASES:-default tuned default}
LL_SEGMENT=${LL_SEGMENT:-2}
LIBOO_BIN=${LIBOO_BIN:-$ROOT/target/debug/liboo}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$HERE/results/$STAMP.json
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
NGINX_RTMP_MODULE=${NGINX_RTMP_MODULE:-/usr/lib/nginx/modules/ngx_rtmp_module.so}

for tool in ffmpeg python3 curl jq node npm ss; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
[ -x "$NGINX" ] && [ -f "$NGINX_RTMP_MODULE" ] || { echo "missing nginx or $NGINX_RTMP_MODULE (apt-get install nginx libnginx-mod-rtmp)" >&2; exit 2; }
[ -x "$CHROMIUM" ] || { echo "missing $CHROMIUM (apt-get install chromium)" >&2; exit 2; }
[ -x "$LIBOO_BIN" ] || { echo "missing $LIBOO_BIN (cargo build -p liboo, or LIBOO_BIN=...)" >&2; exit 2; }
(cd "$HERE" && npm ci --no-audit --no-fund --silent)

# What ran, noted before anything starts (the binary may be rebuilt during the run).
BIN_TIME=$(date -u -r "$LIBOO_BIN" +%FT%TZ)
GIT_HEAD=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
BIN_KIND=$(basename "$(dirname "$LIBOO_BIN")")   # debug or release under target/
WORK=$(mktemp -d /tmp/liboo-latency.XXXXXX)
STARTED=()   # PIDs this script started; the only ones it ever kills
stop() { # PIDs: TERM, then KILL whatever is left after 2 s
  local pid
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 20); do
    local alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && return 0
    sleep 0.1
  done
  for pid in "$@"; do kill -9 "$pid" 2>/dev/null || true; done
}
cleanup() {
  [ ${#STARTED[@]} -gt 0 ] && stop "${STARTED[@]}"
  [ -n "${KEEP_WORK:-}" ] && echo "work dir kept: $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_listen() {
  for _ in $(seq 1 300); do ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.1; done
  echo "nothing listens on $1" >&2; return 1
}
until_ok() { # SECONDS CMD...: retry CMD every 0.2 s
  local n=$(( $1 * 5 )); shift
  for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "timed out: $*" >&2; return 1
}

# --- liboo, twice: LL-HLS (the default) and classic TS with 1 s segments
start_liboo() { # NAME EXTRA...: sets <NAME>_HTTP, <NAME>_RTMP
  local name=$1; shift
  local http rtmp; http=$(free_port); rtmp=$(free_port)
  mkdir -p "$WORK/$name"
  "$LIBOO_BIN" serve --http-addr "127.0.0.1:$http" --rtmp-addr "127.0.0.1:$rtmp" --data-dir "$WORK/$name" \
    --public-url "http://127.0.0.1:$http" "$@" > "$WORK/$name.stdout" 2> "$WORK/$name.log" &
  STARTED+=($!)
  printf -v "${name}_HTTP" %s "$http"; printf -v "${name}_RTMP" %s "$rtmp"
  wait_listen "$rtmp"; until_ok 30 curl -fsS "http://127.0.0.1:$http/healthz"
}
LL_ARGS=(--segment-seconds "$LL_SEGMENT")
TS_ARGS=(--hls-format ts --segment-seconds 1)
start_liboo ll "${LL_ARGS[@]}"
start_liboo ts "${TS_ARGS[@]}"
key() { curl -fsS -X POST -H 'content-type: application/json' -d '{"userId":"latency-bench"}' "http://127.0.0.1:$1/api/host/key"; }
LL_KEY=$(key "$ll_HTTP"); TS_KEY=$(key "$ts_HTTP")

# --- nginx-rtmp: hls on, 1 s fragments, the fragments served by the same nginx over HTTP
NG_RTMP=$(free_port); NG_HTTP=$(free_port)
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp" "$WORK/hls"
cat > "$WORK/nginx.conf" <<CONF
load_module $NGINX_RTMP_MODULE;
user $(id -un) $(id -gn);
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx.log warn;
events { worker_connections 1024; }
rtmp {
  server {
    listen 127.0.0.1:$NG_RTMP;
    chunk_size 4096;
    application live {
      live on;
      record off;
      hls on;
      hls_path $WORK/hls;
      hls_nested on;
      hls_fragment 1s;
      hls_playlist_length 6s;
    }
  }
}
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$NG_HTTP;
    location = /blank { default_type text/html; return 200 'ok'; }
    location = /favicon.ico { return 204; }
    location /hls/ {
      alias $WORK/hls/;
      types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
      add_header Cache-Control no-cache;
    }
  }
}
CONF
"$NGINX" -e "$WORK/nginx.log" -p "$WORK/nginx" -c "$WORK/nginx.conf" -g 'daemon off;' 2>> "$WORK/nginx.log" &
STARTED+=($!)
wait_listen "$NG_RTMP"; wait_listen "$NG_HTTP"

# --- the publisher: one encode, teed to the three servers and to a local read-back.
# The clock: after -re pacing, setpts stamps each frame with the wall clock (RTCTIME, µs) at
# the moment it enters the filter graph, the frame's "capture" time; 32 drawbox filters draw
# bit k of (that time in ms mod 2^32) as a white 16x16 block at x = 64 + 16*(31-k), y 0-15,
# and the complement row below it (y 16-31) lets a reader reject a damaged read. Then the
# timestamps go back to N/30 s for the encoder.
CLOCK="settb=AVTB,setpts=RTCTIME,drawbox=x=0:y=0:w=640:h=32:color=black:t=fill"
for k in $(seq 0 31); do
  x=$((64 + 16 * (31 - k)))
  bit="mod(floor(floor(t*1000)/pow(2\\,$k))\\,2)"
  CLOCK="$CLOCK,drawbox=x=$x:y=0:w=16:h=16:color=white:t=fill:enable='$bit'"
  CLOCK="$CLOCK,drawbox=x=$x:y=16:w=16:h=16:color=white:t=fill:enable='1-$bit'"
done
CLOCK="$CLOCK,setpts=N/(30*TB)"
ENCODE=(-c:v libx264 -preset veryfast -tune zerolatency -g 30 -keyint_min 30 -sc_threshold 0
  -b:v 800k -maxrate 800k -bufsize 800k -pix_fmt yuv420p -c:a aac -b:a 96k -ar 48000)
LL_PUB=rtmp://127.0.0.1:$ll_RTMP/live/$(jq -r .streamKey <<<"$LL_KEY")
TS_PUB=rtmp://127.0.0.1:$ts_RTMP/live/$(jq -r .streamKey <<<"$TS_KEY")
NG_PUB=rtmp://127.0.0.1:$NG_RTMP/live/bench
mkfifo "$WORK/pub.flv" "$WORK/strip.gray"
python3 "$HERE/clock.py" "$WORK/clock.txt" < "$WORK/strip.gray" &
STARTED+=($!)
ffmpeg -nostdin -v warning -fflags nobuffer -flags low_delay -probesize 32768 -analyzeduration 0 -threads 1 \
  -f flv -i "$WORK/pub.flv" -map 0:v -vf crop=640:32:0:0 -f rawvideo -pix_fmt gray -y "$WORK/strip.gray" \
  2> "$WORK/readback.log" &
STARTED+=($!)
ffmpeg -nostdin -v warning -re -f lavfi -i testsrc2=size=640x360:rate=30 \
  -re -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -filter:v "$CLOCK" -map 0:v -map 1:a "${ENCODE[@]}" -flags +global_header \
  -f tee "[f=flv:onfail=ignore]$LL_PUB|[f=flv:onfail=ignore]$TS_PUB|[f=flv:onfail=ignore]$NG_PUB|[f=flv]$WORK/pub.flv" \
  2> "$WORK/publisher.log" &
PUBLISHER=$!
STARTED+=($PUBLISHER)

stream_url() { # HTTP_PORT KEY_JSON: the broadcast's playlist once it lists media
  local u; u=$(curl -fsS "http://127.0.0.1:$1/api/streams/live?liveId=$(jq -r .sessionKey <<<"$2")" | jq -er .info.streamUrl) || return 1
  curl -fsS "$u" | grep -q EXTINF || return 1
  echo "$u"
}
until_ok 30 stream_url "$ll_HTTP" "$LL_KEY"; LL_URL=$(stream_url "$ll_HTTP" "$LL_KEY")
until_ok 30 stream_url "$ts_HTTP" "$TS_KEY"; TS_URL=$(stream_url "$ts_HTTP" "$TS_KEY")
NG_URL=http://127.0.0.1:$NG_HTTP/hls/bench/index.m3u8
until_ok 30 sh -c "curl -fsS '$NG_URL' | grep -q EXTINF"
echo "== publishing; LL $LL_URL, TS $TS_URL, nginx $NG_URL" >&2

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
# Phases: each plays its pages at the same time in one browser, after the previous phase's
# pages closed. "default": LL with lowLatencyMode, both classic streams with hls.js defaults;
# "tuned": LL again, both classic streams with liveSyncDurationCount 1. A second "default"
# phase rejoins the classic streams (where hls.js starts in the playlist varies per join).
# "web" (not in the default list): LL with lowLatencyMode, and LL with the config of liboo's
# own web player (web/src/player/Player.tsx: maxLiveSyncPlaybackRate 1.5 lets hls.js speed up
# towards PART-HOLD-BACK).
jq -n --arg ll "$LL_URL" --arg ts "$TS_URL" --arg ng "$NG_URL" \
  --arg llo "http://127.0.0.1:$ll_HTTP/healthz" --arg tso "http://127.0.0.1:$ts_HTTP/healthz" \
  --arg ngo "http://127.0.0.1:$NG_HTTP/blank" --argjson secs "$SECS" --argjson warm "$WARMUP" \
  --arg phases "$PHASES" --arg chromium "$CHROMIUM" '
  def s($n; $l; $u; $o; $c): {name: $n, label: $l, url: $u, origin: $o, config: $c};
  def ll: s("liboo-ll"; "liboo LL-HLS, lowLatencyMode"; $ll; $llo; {lowLatencyMode: true});
  {seconds: $secs, warmup: $warm, chromium: $chromium, phases: [$phases | splits(" +") | select(. != "") |
    if . == "default" then [ll,
      s("liboo-ts"; "liboo classic 1 s, hls.js defaults"; $ts; $tso; {}),
      s("nginx"; "nginx-rtmp 1 s, hls.js defaults"; $ng; $ngo; {})]
    elif . == "tuned" then [ll,
      s("liboo-ts-sync1"; "liboo classic 1 s, liveSyncDurationCount 1"; $ts; $tso; {liveSyncDurationCount: 1}),
      s("nginx-sync1"; "nginx-rtmp 1 s, liveSyncDurationCount 1"; $ng; $ngo; {liveSyncDurationCount: 1})]
    elif . == "web" then [ll,
      s("liboo-ll-web"; "liboo LL-HLS, web app config (maxLiveSyncPlaybackRate 1.5)"; $ll; $llo;
        {enableWorker: true, backBufferLength: 30, lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.5, maxBufferLength: 20})]
    else error("unknown phase " + .) end]}' > "$WORK/config.json"

node "$HERE/driver.mjs" measure "$WORK/config.json" "$WORK/raw.json"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

stop "$PUBLISHER"; sleep 1
ffmpeg_ok=$(kill -0 "$PUBLISHER" 2>/dev/null && echo running || echo stopped)
stop "${STARTED[@]}"; STARTED=()

jq -n --arg cpus "$(nproc)" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  --arg kernel "$(uname -r)" --arg load0 "$LOAD0" --arg load1 "$LOAD1" \
  --arg ffmpeg "$(ffmpeg -version | head -1 | cut -d' ' -f3)" --arg nginx "$("$NGINX" -v 2>&1 | cut -d/ -f2)" \
  --arg rtmp "$(dpkg-query -W -f '${Version}' libnginx-mod-rtmp 2>/dev/null || echo '?')" \
  --arg hlsjs "$(jq -r .version "$HERE/node_modules/hls.js/package.json")" \
  --arg liboo "$LIBOO_BIN" --arg kind "$BIN_KIND" --arg built "$BIN_TIME" --arg head "$GIT_HEAD" \
  --arg ll "${LL_ARGS[*]}" --arg ts "${TS_ARGS[*]}" --arg enc "${ENCODE[*]}" \
  --arg ng "hls_fragment 1s; hls_playlist_length 6s; hls_nested on" --arg pub "$ffmpeg_ok" \
  --arg w "$WORK" '{machine: {cpus: ($cpus|tonumber), cpu: $cpu, kernel: $kernel, loadavgBefore: $load0, loadavgAfter: $load1},
    versions: {ffmpeg: $ffmpeg, nginx: $nginx, nginxRtmp: $rtmp, hlsJs: $hlsjs},
    liboo: {binary: $liboo, build: $kind, binaryTime: $built, gitHead: $head, llArgs: $ll, tsArgs: $ts},
    nginxHls: $ng, encode: ("testsrc2 640x360@30 + sine, clock strip, " + $enc + ", one encode teed to all servers"),
    logs: {"liboo-ll": ($w + "/ll.log"), "liboo-ts": ($w + "/ts.log"), nginx: ($w + "/nginx.log"),
      publisher: ($w + "/publisher.log"), readback: ($w + "/readback.log")}}' > "$WORK/meta.json"
mkdir -p "$HERE/results"
node "$HERE/driver.mjs" report "$WORK/raw.json" "$WORK" "$OUT"
