# What the bench scripts share; source it after setting WORK (the run's temp dir).
# Only processes a script started (their PIDs in STARTED) are ever killed.

STARTED=()
cleanup() {
  for pid in "${STARTED[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${STARTED[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_listen() { # port: until something listens (without connecting: ffmpeg -listen takes one peer)
  for _ in $(seq 1 300); do ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.1; done
  echo "nothing listens on $1" >&2; return 1
}
# pids_sum EXPR PID...: EXPR (a function of one PID printing a number) summed over the
# PIDs and their live children.
pids_sum() {
  local expr=$1 total=0 pid kids p v; shift
  for pid in "$@"; do
    kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null || true)
    for p in $pid $kids; do
      v=$("$expr" "$p" 2>/dev/null) || v=0
      total=$((total + ${v:-0}))
    done
  done
  echo "$total"
}
ticks_of() { sed 's/.*) //' /proc/"$1"/stat | awk '{print $12 + $13}'; }
hwm_of() { awk '/^VmHWM/ {print $2}' /proc/"$1"/status; }
rss_of() { awk '/^VmRSS/ {print $2}' /proc/"$1"/status; }
# CPU ticks (utime + stime), peak RSS and RSS in kB of the given PIDs and their live children.
cpu_ticks() { pids_sum ticks_of "$@"; }
hwm_kb() { pids_sum hwm_of "$@"; }
rss_kb() { pids_sum rss_of "$@"; }
