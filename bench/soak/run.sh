#!/usr/bin/env bash
# The soak (issue 8): 30 minutes of one liboo node with 8 publishers, 2,000 chat clients
# sending at a steady rate and a replay read in a loop; RSS, open files, threads and tokio
# tasks sampled every 10 s, questions checked at the end. Results in
# bench/soak/results/<stamp>/ (summary.md, summary.json, samples.tsv, liboo.log).
#
#   bench/soak/run.sh                          # the full run
#   DURATION_S=120 CLIENTS=200 bench/soak/run.sh   # a short try
#
# Knobs (environment): DURATION_S, PUBLISHERS, CLIENTS, MSG_INTERVAL_S, QUESTION_EVERY,
# SAMPLE_S, LIBOO_BIN (default: a release build made here), OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LIBOO_BIN:-}" ]; then
  echo "soak: building liboo (release)"
  cargo build --release --locked -p liboo
  export LIBOO_BIN="$PWD/target/release/liboo"
fi
command -v ffmpeg >/dev/null || { echo "soak: ffmpeg is missing (scripts/test-deps installs it)"; exit 1; }
(cd bench/soak && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })
# 2,000 sockets plus the server's: make sure both sides may open enough files.
ulimit -n 65536 2>/dev/null || true
exec node bench/soak/soak.mjs
