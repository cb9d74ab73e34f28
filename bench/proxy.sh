#!/usr/bin/env bash
# Proxy throughput, latency, memory and allocations in one run: direct, nginx, HAProxy, and Sluice
# with 1 / 1,000 / 10,000 routes and with every observability feature on (issue 10's table).
# See bench/README.md. Loopback only; every phase is bounded in time.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-10}            # seconds per measurement (one at 64 connections, one at 1)
WARMUP=${WARMUP:-3}                 # seconds of warm-up for direct, nginx and HAProxy
WARMUP_SLUICE=${WARMUP_SLUICE:-10}  # the JIT needs ~10 s of load to settle (DESIGN.md)
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}                 # interleaved rounds; each figure is the median over rounds
TARGETS=${TARGETS:-"direct nginx haproxy sluice-1 sluice-1k sluice-10k sluice-obs"}
OBS_ROUTES=${OBS_ROUTES:-1000}      # sluice-obs serves as many routes as sluice-1k, its metrics-only twin
LOAD_CPU=${LOAD_CPU:-0}             # wrk and the backend
PROXY_CPU=${PROXY_CPU:-1}           # the proxy under test, alone
BACKEND_PORT=${BACKEND_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
HAPROXY_PORT=${HAPROXY_PORT:-18088}
SLUICE_PORT_BASE=${SLUICE_PORT_BASE:-18100}   # each Sluice target takes two ports from here (traffic, admin)
OTLP_PORT=${OTLP_PORT:-18089}                 # nobody listens: spans are exported and dropped
READY_TIMEOUT=${READY_TIMEOUT:-180}           # 10,000 routes take a while to load under load

require_tools wrk nginx taskset curl awk
[ "$THREADS" -le "$CONNECTIONS" ] || die "THREADS must be <= CONNECTIONS"

# HAProxy is a Debian package, installed here as test.sh installs nats-server and etcd.
if [[ " $TARGETS " == *" haproxy "* ]] && ! command -v haproxy >/dev/null; then
  if command -v apt-get >/dev/null; then
    apt-cache show haproxy >/dev/null 2>&1 || apt-get update -q >/dev/null
    apt-get install -y -q haproxy >/dev/null || die "could not install haproxy"
  else
    die "haproxy is missing and apt-get is not available"
  fi
fi

bench_setup proxy

# --- the backend: nginx, one worker, on the load core ----------------------------------------
write_backend_conf "$WORK/backend" "$BACKEND_PORT"
start_nginx "$LOAD_CPU" "$WORK/backend"
wait_http 200 10 "http://127.0.0.1:$BACKEND_PORT/" || die "backend did not answer on $BACKEND_PORT"

# --- nginx as a reverse proxy: one worker, keepalive to the upstream, on the proxy core -----
start_nginx_proxy() {
  local dir="$WORK/nginx-proxy"
  mkdir -p "$dir"
  { nginx_conf_head "$dir"; cat <<CONF
  upstream backend {
    server 127.0.0.1:$BACKEND_PORT;
    keepalive 128;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT reuseport backlog=4096;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
CONF
  } >"$dir/nginx.conf"
  start_nginx "$PROXY_CPU" "$dir"
  PROXY_PID=$NGINX_PID
  wait_http 200 10 "http://127.0.0.1:$NGINX_PORT/" || die "nginx proxy did not answer on $NGINX_PORT"
}

# --- HAProxy: one thread, connections to the backend reused, on the proxy core --------------
start_haproxy() {
  local dir="$WORK/haproxy"
  mkdir -p "$dir"
  cat >"$dir/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend proxy
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend backend
backend backend
  server b1 127.0.0.1:$BACKEND_PORT
CONF
  haproxy -c -q -f "$dir/haproxy.cfg" || die "haproxy config in $dir is invalid"
  taskset -c "$PROXY_CPU" haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
  PROXY_PID=$!
  BENCH_PIDS+=("$PROXY_PID")
  wait_http 200 10 "http://127.0.0.1:$HAPROXY_PORT/" || die "haproxy did not answer on $HAPROXY_PORT"
}

# --- Sluice: one static upstream -> the backend, one virtual service '*' with N prefix routes ---
# start_sluice NAME ROUTES PORT ADMIN_PORT [EXTRA FLAGS…]: routes /r/0/ … /r/N-1/, in that order.
start_sluice() {
  local name=$1 routes=$2 port=$3 admin=$4
  shift 4
  local cfg="$WORK/config-$name"
  write_sluice_config "$cfg" "$routes" "$BACKEND_PORT"
  local args=(run --config-dir "$cfg" --http-port "$port" --admin-port "$admin"
              --http2-port 0 --https-port 0 "$@")
  if "$SLUICE_BIN" run --help 2>/dev/null | grep -q -- '--bind'; then args+=(--bind 127.0.0.1); fi
  taskset -c "$PROXY_CPU" "$SLUICE_BIN" "${args[@]}" >"$WORK/$name.log" 2>&1 &
  PROXY_PID=$!
  BENCH_PIDS+=("$PROXY_PID")
  local middle="/r/$(( routes / 2 ))/"
  if ! wait_http 200 "$READY_TIMEOUT" "http://127.0.0.1:$admin/readyz" || ! wait_http 200 30 "http://127.0.0.1:$port$middle"; then
    tail -n 40 "$WORK/$name.log" >&2 || true
    die "$name did not serve $middle (log above)"
  fi
}

declare -A PORT URLPATH PID ADMIN
MEASURED=()
SLUICE_BUILT=0
add_sluice() { # add_sluice NAME ROUTES [EXTRA FLAGS…]
  local name=$1 routes=$2 index=${#MEASURED[@]}
  shift 2
  if [ "$SLUICE_BUILT" = 0 ]; then
    sluice_implemented || die "SluiceServer is still the skeleton on this branch"
    build_sluice || die "dotnet build -c Release of the sluice host failed"
    SLUICE_BUILT=1
  fi
  local port=$(( SLUICE_PORT_BASE + 2 * index )) admin=$(( SLUICE_PORT_BASE + 2 * index + 1 ))
  require_free_ports "$port" "$admin"
  log "$name: starting with $routes route(s)"
  start_sluice "$name" "$routes" "$port" "$admin" "$@"
  PORT[$name]=$port; ADMIN[$name]=$admin; PID[$name]=$PROXY_PID; URLPATH[$name]="/r/$(( routes / 2 ))/"
  MEASURED+=("$name")
}

run_wrk() { # run_wrk SECONDS CONNECTIONS URL OUTFILE
  local threads=$THREADS
  [ "$2" -lt "$threads" ] && threads=$2
  taskset -c "$LOAD_CPU" timeout $(( $1 + 30 )) \
    wrk -t "$threads" -c "$2" -d "${1}s" --timeout 5s --latency "$3" >"$4" 2>&1
}

# measure NAME ROUND WARMUP -> appends "rps p50 p99 errors rss_kib alloc_per_req p50_1 p99_1" to rounds-NAME
measure() {
  local name=$1 round=$2 warm=$3 url="http://127.0.0.1:${PORT[$1]}${URLPATH[$1]:-/}" out="$WORK/wrk-$1-$2"
  if [ "$warm" -gt 0 ]; then
    log "$name: warm-up ${warm}s"
    run_wrk "$warm" "$CONNECTIONS" "$url" "$out-warmup.txt" || true
  fi
  local before alloc0="" alloc1="" rss=0
  before=$(load_note)
  [ -n "${ADMIN[$name]:-}" ] && alloc0=$(allocated_bytes "${ADMIN[$name]}")
  log "$name: round $round, ${DURATION}s at $CONNECTIONS connections ($before)"
  run_wrk "$DURATION" "$CONNECTIONS" "$url" "$out-c$CONNECTIONS.txt" &
  local wrk_pid=$!
  # RSS under load: sampled halfway through the loaded run.
  sleep "$(awk -v d="$DURATION" 'BEGIN { print d / 2 }')"
  [ -n "${PID[$name]:-}" ] && rss=$(tree_rss_kib "${PID[$name]}")
  wait "$wrk_pid" || die "wrk failed against $name"
  [ -n "${ADMIN[$name]:-}" ] && alloc1=$(allocated_bytes "${ADMIN[$name]}")
  log "$name: round $round, ${DURATION}s at 1 connection"
  run_wrk "$DURATION" 1 "$url" "$out-c1.txt" || die "wrk failed against $name"
  for f in "$out-c$CONNECTIONS.txt" "$out-c1.txt"; do
    { echo "----- wrk: $name round $round ($url), before: $before, after: $(load_note) -----"; cat "$f"; echo; } >>"$RAW"
  done
  local requests per_request="nan"
  requests=$(awk '/requests in/ { print $1 }' "$out-c$CONNECTIONS.txt")
  if [ -n "$alloc0" ] && [ -n "$alloc1" ] && [ "${requests:-0}" -gt 0 ]; then
    # Scrapes and the 1-connection run are outside the window; the scrape itself is a few KiB.
    per_request=$(awk -v a="$alloc0" -v b="$alloc1" -v n="$requests" 'BEGIN { printf "%.0f", (b - a) / n }')
  fi
  read -r rps p50 p99 errs < <(parse_wrk "$out-c$CONNECTIONS.txt")
  read -r _ p50_1 p99_1 errs_1 < <(parse_wrk "$out-c1.txt")
  echo "$rps $p50 $p99 $(( errs + errs_1 )) $rss $per_request $p50_1 $p99_1" >>"$WORK/rounds-$name"
}

say "# sluice bench/proxy.sh  $STAMP"
say "# host: $(nproc) cores, $(uname -r); $(nginx -v 2>&1); $(haproxy -v 2>/dev/null | head -n1); $(wrk -v 2>&1 | head -n1)"
say "# layout: wrk + backend nginx on core $LOAD_CPU; proxy under test on core $PROXY_CPU, one loaded at a time"
say "# load: wrk -t $THREADS -c $CONNECTIONS then -c 1, ${DURATION}s each, $ROUNDS round(s) interleaved; warm-up ${WARMUP}s (sluice ${WARMUP_SLUICE}s) before round 1, 1s before later rounds"
say "# backend: nginx 1 worker, 'return 200 \"hello\"' on 127.0.0.1:$BACKEND_PORT; Sluice routes /r/0/ … /r/N-1/ (prefix), the request hits /r/N/2/"
say "# sluice: $(sluice_host_note); env: $(dotnet_env)"
BUSY=$(busy_warning)
[ -n "$BUSY" ] && say "$BUSY"

# Start every target first, so rounds can interleave them: whatever else disturbs the machine
# then hits all targets alike, and the medians discard the worst of it.
for target in $TARGETS; do
  case "$target" in
    direct) PORT[direct]=$BACKEND_PORT; MEASURED+=(direct) ;;
    nginx) require_free_ports "$NGINX_PORT"; start_nginx_proxy; PORT[nginx]=$NGINX_PORT; PID[nginx]=$PROXY_PID; MEASURED+=(nginx) ;;
    haproxy) require_free_ports "$HAPROXY_PORT"; start_haproxy; PORT[haproxy]=$HAPROXY_PORT; PID[haproxy]=$PROXY_PID; MEASURED+=(haproxy) ;;
    sluice-1) add_sluice sluice-1 1 ;;
    sluice-1k) add_sluice sluice-1k 1000 ;;
    sluice-10k) add_sluice sluice-10k 10000 ;;
    sluice-obs)
      # Metrics (always on) plus a JSON access log line per request to a file and traces sampled
      # at 1 %, exported over OTLP to a port nobody listens on.
      add_sluice sluice-obs "$OBS_ROUTES" --access-log "$WORK/access.log" \
        --tracing otlp --tracing-protocol http/protobuf --tracing-endpoint "http://127.0.0.1:$OTLP_PORT" --tracing-sample-ratio 0.01 ;;
    *) die "unknown target '$target' (direct, nginx, haproxy, sluice-1, sluice-1k, sluice-10k, sluice-obs)" ;;
  esac
done

for round in $(seq 1 "$ROUNDS"); do
  for target in "${MEASURED[@]}"; do
    if [ "$round" = 1 ]; then
      warm=$WARMUP; [[ "$target" == sluice* ]] && warm=$WARMUP_SLUICE
    else
      warm=1
    fi
    measure "$target" "$round" "$warm"
  done
done

# Each figure: the median over rounds, column by column.
declare -A RPS P50 P99 ERRS RSS ALLOC P50_1 P99_1 ADD50 ADD99
for target in "${MEASURED[@]}"; do
  f="$WORK/rounds-$target"
  RPS[$target]=$(median_col "$f" 1); P50[$target]=$(median_col "$f" 2); P99[$target]=$(median_col "$f" 3)
  ERRS[$target]=$(awk '{ s += $4 } END { print s + 0 }' "$f"); RSS[$target]=$(median_col "$f" 5); ALLOC[$target]=$(median_col "$f" 6)
  P50_1[$target]=$(median_col "$f" 7); P99_1[$target]=$(median_col "$f" 8)
done
# Added latency at 1 connection: the proxy's figure minus going direct.
for target in "${MEASURED[@]}"; do
  ADD50[$target]=$(awk -v a="${P50_1[$target]}" -v d="${P50_1[direct]:-nan}" 'BEGIN { if (a == "nan" || d == "nan") print "nan"; else print a - d }')
  ADD99[$target]=$(awk -v a="${P99_1[$target]}" -v d="${P99_1[direct]:-nan}" 'BEGIN { if (a == "nan" || d == "nan") print "nan"; else print a - d }')
done
for target in "${MEASURED[@]}"; do
  [[ "$target" == sluice* ]] && cp "$WORK/$target.log" "$RESULTS_DIR/proxy-$STAMP-$target.log" 2>/dev/null || true
done

fmt_ms() { awk -v u="$1" 'BEGIN { if (u == "nan" || u == "") print "-"; else printf "%.3f", u / 1000 }'; }
cell() { # cell VALUE NGINX_VALUE FORMATTED -> "formatted (xR)"
  printf '%s (x%s)' "$3" "$(ratio "$1" "$2")"
}

say ""
say "Every figure is the median over rounds; (xR) is the ratio to nginx's figure."
say "$(printf '%-11s %-18s %-18s %-18s %-18s %-18s %-14s %-10s %s' target 'requests/s' "p50 ms c$CONNECTIONS" "p99 ms c$CONNECTIONS" 'added p50 ms c1' 'added p99 ms c1' 'RSS MiB load' 'B/request' errors)"
for target in $TARGETS; do
  [ -n "${RPS[$target]:-}" ] || { say "$(printf '%-11s n/a' "$target")"; continue; }
  n=nginx
  rss_mib=$(awk -v k="${RSS[$target]}" 'BEGIN { if (k == "nan" || k + 0 == 0) print "-"; else printf "%.0f", k / 1024 }')
  say "$(printf '%-11s %-18s %-18s %-18s %-18s %-18s %-14s %-10s %s' "$target" \
    "$(cell "${RPS[$target]}" "${RPS[$n]:-}" "$(printf '%.0f' "${RPS[$target]}")")" \
    "$(cell "${P50[$target]}" "${P50[$n]:-}" "$(fmt_ms "${P50[$target]}")")" \
    "$(cell "${P99[$target]}" "${P99[$n]:-}" "$(fmt_ms "${P99[$target]}")")" \
    "$(cell "${ADD50[$target]}" "${ADD50[$n]:-}" "$(fmt_ms "${ADD50[$target]}")")" \
    "$(cell "${ADD99[$target]}" "${ADD99[$n]:-}" "$(fmt_ms "${ADD99[$target]}")")" \
    "$(cell "${RSS[$target]}" "${RSS[$n]:-}" "$rss_mib")" \
    "${ALLOC[$target]/nan/-}" "${ERRS[$target]}")"
done
say ""
# Issue 10's bars, where the run has the figures.
if [ -n "${RPS[sluice-1k]:-}" ] && [ -n "${RPS[nginx]:-}" ]; then
  say "bar: sluice-1k requests/s >= 0.7 x nginx: x$(ratio "${RPS[sluice-1k]}" "${RPS[nginx]}")"
  say "bar: sluice-1k added p99 at 1 connection <= 1.5 x nginx's: x$(ratio "${ADD99[sluice-1k]}" "${ADD99[nginx]}")"
  say "bar: sluice-1k RSS under load <= 80 MiB: $(awk -v k="${RSS[sluice-1k]}" 'BEGIN { printf "%.0f", k / 1024 }') MiB"
fi
[ -n "${RPS[sluice-10k]:-}" ] && [ -n "${RPS[sluice-1]:-}" ] && say "bar: sluice-10k requests/s >= 0.95 x sluice-1: x$(ratio "${RPS[sluice-10k]}" "${RPS[sluice-1]}")"
[ -n "${RPS[sluice-obs]:-}" ] && [ -n "${RPS[sluice-1k]:-}" ] && say "bar: sluice-obs requests/s >= 0.9 x sluice-1k (metrics only): x$(ratio "${RPS[sluice-obs]}" "${RPS[sluice-1k]}")"
say "# raw output: ${RAW#"$REPO_DIR"/}"
