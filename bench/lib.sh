# Shared helpers for bench/*.sh. Sourced, not run. Everything here talks to 127.0.0.1 only,
# and every wait loop is bounded.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
# What serves as `sluice run`: SLUICE_HOST=cli (default) builds src/Sluice.Cli; SLUICE_HOST=bench
# builds bench/Sluice.Bench, which hosts the gateway library with the same flags (for when the CLI
# does not build yet, or to tell the library's cost from the CLI's). SLUICE_BIN may point at any
# other build (or a stand-in); then nothing is built.
SLUICE_HOST=${SLUICE_HOST:-cli}
SLUICE_BIN_GIVEN=${SLUICE_BIN:+1}
case "$SLUICE_HOST" in
  cli) SLUICE_BIN=${SLUICE_BIN:-"$REPO_DIR/src/Sluice.Cli/bin/Release/net10.0/sluice"} ;;
  bench) SLUICE_BIN=${SLUICE_BIN:-"$BENCH_DIR/Sluice.Bench/bin/Release/net10.0/Sluice.Bench"} ;;
  *) echo "SLUICE_HOST must be cli or bench" >&2; exit 2 ;;
esac

# Processes this script started; killed on exit (and only these).
BENCH_PIDS=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Kill the processes we started: TERM, a bounded wait, then KILL.
bench_cleanup() {
  local pid i
  for pid in "${BENCH_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]:-}"; do
    [ -z "$pid" ] && continue
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  BENCH_PIDS=()
}

forget_pid() {
  local gone=$1 pid kept=()
  for pid in "${BENCH_PIDS[@]:-}"; do [ "$pid" != "$gone" ] && [ -n "$pid" ] && kept+=("$pid"); done
  BENCH_PIDS=("${kept[@]:-}")
}

stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

require_tools() {
  local missing=() t
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  if [ ${#missing[@]} -gt 0 ]; then
    die "missing: ${missing[*]} (Debian: apt-get install -y wrk nginx curl util-linux)"
  fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_free_ports() {
  local p
  for p in "$@"; do port_free "$p" || die "port $p on 127.0.0.1 is in use; set the *_PORT variables"; done
}

# http_code URL [extra curl args...] -> prints the status code, 000 when nothing answered.
http_code() {
  local url=$1; shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null || true
}

# wait_http CODE TIMEOUT_S URL [curl args...]: polls every 20 ms; returns 1 on timeout.
wait_http() {
  local want=$1 timeout_s=$2 url=$3; shift 3
  local deadline=$(( $(now_ms) + timeout_s * 1000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    [ "$(http_code "$url" "$@")" = "$want" ] && return 0
    sleep 0.02
  done
  return 1
}

# Writes an nginx backend config: one worker, answers 200 "hello" to everything.
# write_backend_conf DIR PORT
# The part of an nginx.conf every instance here shares: one worker in the foreground, its
# files in DIR, no access log, long-lived keep-alive. The caller closes the http block.
# nginx_conf_head DIR
nginx_conf_head() {
  local dir=$1
  cat <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp-body;
  proxy_temp_path $dir/tmp-proxy;
  fastcgi_temp_path $dir/tmp-fastcgi;
  uwsgi_temp_path $dir/tmp-uwsgi;
  scgi_temp_path $dir/tmp-scgi;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
CONF
}

# Work dir, raw results file, cleanup traps and say() for a benchmark script.
# bench_setup NAME   (sets WORK, RESULTS_DIR, STAMP, RAW)
bench_setup() {
  WORK=$(mktemp -d "/tmp/sluice-bench-$1.XXXXXX")
  chmod 755 "$WORK"
  RESULTS_DIR="$BENCH_DIR/results"
  mkdir -p "$RESULTS_DIR"
  STAMP=$(date -u +%Y%m%dT%H%M%SZ)
  RAW="$RESULTS_DIR/$1-$STAMP.txt"
  : >"$RAW"
  trap bench_on_exit EXIT
  trap 'exit 130' INT TERM
}

bench_on_exit() {
  bench_cleanup
  if [ "${KEEP_WORK:-0}" = "1" ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}

say() { echo "$*" | tee -a "$RAW"; }

write_backend_conf() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  { nginx_conf_head "$dir"; cat <<CONF
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    default_type text/plain;
    location / { return 200 "hello"; }
  }
}
CONF
  } >"$dir/nginx.conf"
}

# start_nginx CPU DIR -> starts nginx pinned to CPU (foreground master), records its pid in NGINX_PID.
start_nginx() {
  local cpu=$1 dir=$2
  nginx -t -q -p "$dir" -c "$dir/nginx.conf" 2>"$dir/configtest.log" || { cat "$dir/configtest.log" >&2; die "nginx config in $dir is invalid"; }
  taskset -c "$cpu" nginx -p "$dir" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
  NGINX_PID=$!
  BENCH_PIDS+=("$NGINX_PID")
}

# Converts a wrk latency figure ("812.00us", "1.20ms", "2.01s") to microseconds.
to_us() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") m = 1; else if (u == "ms") m = 1000; else if (u == "s") m = 1000000;
    else if (u == "m") m = 60000000; else { print "nan"; exit }
    printf "%.0f", n * m }'
}

# Reads a wrk --latency output file; prints "rps p50_us p99_us errors".
parse_wrk() {
  local f=$1 rps p50 p99 non2xx sock
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
  p50=$(awk '$1 == "50%" {print $2}' "$f")
  p99=$(awk '$1 == "99%" {print $2}' "$f")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$f")
  sock=$(awk '/Socket errors:/ { s = 0; for (i = 3; i <= NF; i += 2) { v = $(i + 1); gsub(/,/, "", v); s += v } print s }' "$f")
  echo "${rps:-0} $(to_us "${p50:-nan}") $(to_us "${p99:-nan}") $(( ${non2xx:-0} + ${sock:-0} ))"
}

# Build the gateway once (Release). SKIP_BUILD=1 reuses what is there.
build_sluice() {
  if [ -n "$SLUICE_BIN_GIVEN" ]; then [ -x "$SLUICE_BIN" ]; return; fi
  if [ "${SKIP_BUILD:-0}" = "1" ] && [ -x "$SLUICE_BIN" ]; then return 0; fi
  local project=src/Sluice.Cli/Sluice.Cli.csproj
  [ "$SLUICE_HOST" = bench ] && project=bench/Sluice.Bench/Sluice.Bench.csproj
  log "building $project (Release)…"
  (cd "$REPO_DIR" && timeout 600 dotnet build -c Release -nologo -v q "$project") >&2
}

# True when the gateway on this branch is implemented (not the skeleton).
sluice_implemented() {
  [ -n "$SLUICE_BIN_GIVEN" ] && return 0
  ! grep -q NotImplementedException "$REPO_DIR/src/Sluice/Gateway/SluiceServer.cs" 2>/dev/null
}

# One line for the output: what serves as sluice.
sluice_host_note() {
  if [ -n "$SLUICE_BIN_GIVEN" ]; then echo "SLUICE_BIN=$SLUICE_BIN"
  elif [ "$SLUICE_HOST" = bench ]; then echo "bench/Sluice.Bench run (library host, not the CLI)"
  else echo "src/Sluice.Cli (sluice run), Release"; fi
}

# VmRSS / VmHWM of a pid in KiB.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# One line for the record: what else was running (2 cores are shared with everything).
load_note() { echo "loadavg $(cut -d' ' -f1-3 /proc/loadavg)"; }

# The DOTNET_* knobs in force (passed through to sluice), for the record.
dotnet_env() { env | grep -E '^DOTNET_' | sort | tr '\n' ' ' || true; }

# Warns when other work was keeping the machine busy before we started (our own load, builds
# included, comes later: hence the sample taken when this file is sourced).
BENCH_START_LOADAVG=$(cut -d' ' -f1 /proc/loadavg)
busy_warning() {
  echo "$BENCH_START_LOADAVG" | awk -v n="$(nproc)" '{ if ($1 > 1.5) printf "# WARNING: the machine was already busy before this run (1-min loadavg %s on %d cores): other processes share the cores, so treat these numbers as unreliable and repeat when it is idle\n", $1, n }'
}

# One static upstream -> the backend, one virtual service '*' with N prefix routes /r/0/ … /r/N-1/,
# in that order (a request to /r/N/2/ matches the middle one). write_sluice_config DIR ROUTES BACKEND_PORT
write_sluice_config() {
  local cfg=$1 routes=$2 backend_port=$3
  mkdir -p "$cfg/upstreams" "$cfg/virtualservices"
  printf 'name: backend\ntype: static\nspec:\n  hosts:\n  - addr: 127.0.0.1\n    port: %s\n' "$backend_port" >"$cfg/upstreams/backend.yml"
  { printf "name: default\ndomains: ['*']\nroutes:\n"
    awk -v n="$routes" 'BEGIN { for (i = 0; i < n; i++)
      printf "- request_matcher:\n    path_prefix: /r/%d/\n  single_destination:\n    upstream:\n      name: backend\n", i }'
  } >"$cfg/virtualservices/default.yml"
}

# The whole process tree's resident memory (nginx: master and worker), in KiB.
tree_rss_kib() {
  local pid=$1 total child
  total=$(rss_kib "$pid")
  for child in $(pgrep -P "$pid" 2>/dev/null); do total=$(( total + $(rss_kib "$child") )); done
  echo "$total"
}

# The runtime's allocation counter, from Sluice's admin metrics (GC.GetTotalAllocatedBytes). allocated_bytes ADMIN_PORT
allocated_bytes() {
  curl -s --max-time 5 "http://127.0.0.1:$1/metrics" | awk '$1 == "sluice_process_allocated_bytes" { printf "%.0f", $2 }'
}

# CPU time (user + system) a process has used, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# median_col FILE COLUMN: the median of a column of numbers ("nan" rows skipped).
median_col() {
  awk -v c="$2" '$c != "nan" { print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else print v[int((NR + 1) / 2)] }'
}

# ratio A B: A / B with two decimals, "-" when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "nan" || b == "nan" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
