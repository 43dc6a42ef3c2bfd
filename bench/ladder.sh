#!/usr/bin/env bash
# Quality ladder benchmark: CPU per rendition of liboo's ladder (--transcode), against
# the same ffmpeg command run alone on the same input. See docs/BENCHMARKS.md
# ("Quality ladder").
#
#   bench/ladder.sh                  # a 720p30 2.5 Mbit/s source for 60 s, rungs 480 and 360
#
# Env: BENCH_SECONDS (default 60), BENCH_LADDER (default 480,360), LIBOO_BIN (default the
# release build, else the debug build), BENCH_OUT (default bench/results/ladder-DATE.json).
# Only processes started here are killed, by PID.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${BENCH_SECONDS:-60}
LADDER=${BENCH_LADDER:-480,360}
LIBOO_BIN=${LIBOO_BIN:-$ROOT/target/release/liboo}
[ -x "$LIBOO_BIN" ] || LIBOO_BIN=$ROOT/target/debug/liboo
[ -x "$LIBOO_BIN" ] || { echo "no liboo binary: cargo build --release" >&2; exit 2; }
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${BENCH_OUT:-$ROOT/bench/results/ladder-$STAMP.json}
TCK=$(getconf CLK_TCK)
for tool in ffmpeg python3 curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install ffmpeg python3 curl time)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/liboo-ladder-bench.XXXXXX)
. "$(dirname "$0")/lib.sh"

echo "ladder: making a ${SECS} s 720p30 2.5 Mbit/s source"
ffmpeg -v error -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t "$SECS" -c:v libx264 -preset veryfast -tune zerolatency -g 60 -keyint_min 60 -sc_threshold 0 \
  -b:v 2500k -maxrate 2500k -bufsize 5000k -pix_fmt yuv420p -c:a aac -b:a 128k -ar 48000 -ac 2 \
  -f flv "$WORK/source.flv"

HTTP=$(free_port); RTMP=$(free_port)

# 1. liboo with the ladder: CPU of each rendition's ffmpeg (sampled from /proc until it
#    exits), and of liboo itself.
"$LIBOO_BIN" serve --http-addr "127.0.0.1:$HTTP" --rtmp-addr "127.0.0.1:$RTMP" \
  --data-dir "$WORK/data" --public-url "http://127.0.0.1:$HTTP" --reconnect-grace 0 \
  --transcode --ladder "$LADDER" >"$WORK/liboo.log" 2>&1 &
LIBOO_PID=$!; STARTED+=("$LIBOO_PID")
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$HTTP/healthz" >/dev/null && break; sleep 0.1; done
KEY=$(curl -fs "http://127.0.0.1:$HTTP/api/host/key" -H 'content-type: application/json' \
  -d '{"userId":"ladder-bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["streamKey"])')

python3 - "$LIBOO_PID" "$TCK" >"$WORK/children.json" <<'EOF' &
import json, os, sys, time
parent, tck = int(sys.argv[1]), int(sys.argv[2])
seen = {}
idle = 0
while True:
    found = False
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open(f'/proc/{pid}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            if int(fields[1]) != parent:
                continue
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                cmd = f.read().split(b'\0')
        except OSError:
            continue
        if not cmd or not cmd[0].endswith(b'ffmpeg'):
            continue
        found = True
        scale = next((c.decode() for c in cmd if c.startswith(b'scale=')), '?')
        seen[pid] = {'scale': scale, 'cpu_s': (int(fields[11]) + int(fields[12])) / tck}
    idle = 0 if found else idle + 1
    if seen and idle > 20:
        break
    time.sleep(0.25)
print(json.dumps(list(seen.values())))
EOF
SAMPLER=$!
LIBOO_CPU0=$(awk '{print $14+$15}' "/proc/$LIBOO_PID/stat")
echo "ladder: publishing to liboo with --transcode --ladder $LADDER"
ffmpeg -v error -re -i "$WORK/source.flv" -c copy -f flv "rtmp://127.0.0.1:$RTMP/live/$KEY"
wait "$SAMPLER"
LIBOO_CPU1=$(awk '{print $14+$15}' "/proc/$LIBOO_PID/stat")
kill "$LIBOO_PID"

# 2. The same ffmpeg command alone, on the same input at the same pace, per rung.
ALONE="[]"
for h in ${LADDER//,/ }; do
  w=$(( (1280 * h / 720 + 1) & ~1 )); b=$(( w * h * 3 ))
  echo "ladder: the ${w}x${h} rung's ffmpeg alone"
  /usr/bin/time -f "%U %S" -o "$WORK/time-$h" ffmpeg -nostdin -hide_banner -loglevel error -re \
    -f flv -i "$WORK/source.flv" -copyts -map 0:v:0 -map '0:a?' -vf "scale=$w:$h" \
    -c:v libx264 -preset veryfast -tune zerolatency -profile:v main -pix_fmt yuv420p \
    -force_key_frames source -sc_threshold 0 -b:v "$b" -maxrate "$b" -bufsize $((b * 2)) \
    -c:a copy -f flv -flvflags no_duration_filesize -y /dev/null
  ALONE=$(python3 -c 'import json,sys; a=json.loads(sys.argv[1]); u,s=open(sys.argv[2]).read().split(); a.append({"scale":sys.argv[3],"cpu_s":float(u)+float(s)}); print(json.dumps(a))' \
    "$ALONE" "$WORK/time-$h" "scale=$w:$h")
done

mkdir -p "$(dirname "$OUT")"
python3 - "$WORK/children.json" "$ALONE" "$(( LIBOO_CPU1 - LIBOO_CPU0 ))" "$TCK" "$SECS" "$LIBOO_BIN" >"$OUT" <<'EOF'
import json, sys
inside = json.load(open(sys.argv[1]))
alone = json.loads(sys.argv[2])
liboo_cpu = int(sys.argv[3]) / int(sys.argv[4])
secs = float(sys.argv[5])
rows = []
for a in alone:
    i = next((x for x in inside if x['scale'] == a['scale']), None)
    rows.append({
        'rung': a['scale'].removeprefix('scale='),
        'ffmpeg_in_liboo_cpu_s': round(i['cpu_s'], 2) if i else None,
        'ffmpeg_alone_cpu_s': round(a['cpu_s'], 2),
        'ratio': round(i['cpu_s'] / a['cpu_s'], 3) if i else None,
        'cpu_per_media_s': round(i['cpu_s'] / secs, 3) if i else None,
    })
print(json.dumps({'media_seconds': secs, 'liboo_bin': sys.argv[6],
                  'liboo_own_cpu_s': round(liboo_cpu, 2), 'rungs': rows}, indent=2))
EOF
cat "$OUT"
