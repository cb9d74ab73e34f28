#!/usr/bin/env bash
# Proxy throughput and latency, one run, one backend: direct vs nginx (reverse proxy) vs Sluice.
# See bench/README.md. Loopback only; every phase is bounded in time.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-10}            # seconds measured per target
WARMUP=${WARMUP:-3}                 # seconds of warm-up for direct and nginx
WARMUP_SLUICE=${WARMUP_SLUICE:-10}  # the JIT needs ~10 s of load to settle (DESIGN.md)
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}                 # interleaved rounds; the median round per target is reported
TARGETS=${TARGETS:-"direct nginx sluice"}
LOAD_CPU=${LOAD_CPU:-0}             # wrk and the backend
PROXY_CPU=${PROXY_CPU:-1}           # the proxy under test, alone
BACKEND_PORT=${BACKEND_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
SLUICE_PORT=${SLUICE_PORT:-18082}
SLUICE_ADMIN_PORT=${SLUICE_ADMIN_PORT:-18083}
READY_TIMEOUT=${READY_TIMEOUT:-90}
SLUICE_OBS_PORT=${SLUICE_OBS_PORT:-18084}
SLUICE_OBS_ADMIN_PORT=${SLUICE_OBS_ADMIN_PORT:-18085}
SLUICE_OBS_OTLP_PORT=${SLUICE_OBS_OTLP_PORT:-18086}
SLUICE_OBS_STATSD_PORT=${SLUICE_OBS_STATSD_PORT:-18087}

require_tools wrk nginx taskset curl awk
require_free_ports "$BACKEND_PORT" "$NGINX_PORT" "$SLUICE_PORT" "$SLUICE_ADMIN_PORT" "$SLUICE_OBS_PORT" "$SLUICE_OBS_ADMIN_PORT"
[ "$THREADS" -le "$CONNECTIONS" ] || die "THREADS must be <= CONNECTIONS"

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

# --- Sluice: one static upstream -> the backend, one virtual service '*' with a prefix route -
SLUICE_SKIPPED=""
# start_sluice NAME PORT ADMIN_PORT [EXTRA FLAGS…]: one config folder shared by every Sluice target.
start_sluice() {
  local name=$1 port=$2 admin=$3
  shift 3
  local cfg="$WORK/sluice-config"
  mkdir -p "$cfg/upstreams" "$cfg/virtualservices"
  cat >"$cfg/upstreams/backend.yml" <<YML
name: backend
type: static
spec:
  hosts:
  - addr: 127.0.0.1
    port: $BACKEND_PORT
YML
  cat >"$cfg/virtualservices/default.yml" <<YML
name: default
domains: ['*']
routes:
- request_matcher:
    path_prefix: /
  single_destination:
    upstream:
      name: backend
YML
  local args=(run --config-dir "$cfg" --http-port "$port" --admin-port "$admin"
              --http2-port 0 --https-port 0 "$@")
  # Bind traffic to loopback when the CLI knows --bind (DESIGN.md lists it).
  if "$SLUICE_BIN" run --help 2>/dev/null | grep -q -- '--bind'; then args+=(--bind 127.0.0.1); fi
  taskset -c "$PROXY_CPU" "$SLUICE_BIN" "${args[@]}" >"$WORK/$name.log" 2>&1 &
  PROXY_PID=$!
  BENCH_PIDS+=("$PROXY_PID")
  if ! wait_http 200 "$READY_TIMEOUT" "http://127.0.0.1:$admin/readyz"; then
    tail -n 40 "$WORK/$name.log" >&2 || true
    return 1
  fi
  if ! wait_http 200 10 "http://127.0.0.1:$port/"; then
    log "$name is ready but / does not answer 200:"
    curl -s -i --max-time 2 "http://127.0.0.1:$port/" >&2 || true
    tail -n 40 "$WORK/$name.log" >&2 || true
    return 1
  fi
}

run_wrk() { # run_wrk SECONDS PORT OUTFILE
  taskset -c "$LOAD_CPU" timeout $(( $1 + 30 )) \
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${1}s" --timeout 5s --latency "http://127.0.0.1:$2/" >"$3" 2>&1
}

declare -A RPS P50 P99 ERRS PORT ALL_RPS BEST

measure() { # measure NAME ROUND WARMUP_SECONDS -> appends "rps p50 p99 errors" to $WORK/rounds-NAME
  local name=$1 round=$2 warm=$3 port=${PORT[$1]} out="$WORK/wrk-$1-$2.txt"
  if [ "$warm" -gt 0 ]; then
    log "$name: warm-up ${warm}s"
    run_wrk "$warm" "$port" "$WORK/wrk-$name-warmup.txt" || true
  fi
  local before; before=$(load_note)
  log "$name: round $round, measuring ${DURATION}s ($before)"
  run_wrk "$DURATION" "$port" "$out" || die "wrk failed against $name"
  { echo "----- wrk: $name round $round (127.0.0.1:$port), before: $before, after: $(load_note) -----"; cat "$out"; echo; } >>"$RAW"
  parse_wrk "$out" >>"$WORK/rounds-$name"
}

say "# sluice bench/proxy.sh  $STAMP"
say "# host: $(nproc) cores, $(uname -r); $(nginx -v 2>&1); $(wrk -v 2>&1 | head -n1)"
say "# layout: wrk + backend nginx on core $LOAD_CPU; proxy under test (nginx or sluice) on core $PROXY_CPU, one loaded at a time"
say "# load: wrk -t $THREADS -c $CONNECTIONS, ${DURATION}s per measurement, $ROUNDS round(s) interleaved; warm-up ${WARMUP}s (sluice ${WARMUP_SLUICE}s) before round 1, 1s before later rounds"
say "# backend: nginx 1 worker, 'return 200 \"hello\"' on 127.0.0.1:$BACKEND_PORT"
say "# sluice: $(sluice_host_note); env: $(dotnet_env)"
BUSY=$(busy_warning)
[ -n "$BUSY" ] && say "$BUSY"

# Start every target first, so rounds can interleave them: whatever else disturbs the machine
# then hits all targets alike, and the median round per target discards the worst of it.
MEASURED=()
for target in $TARGETS; do
  case "$target" in
    direct) PORT[direct]=$BACKEND_PORT; MEASURED+=(direct) ;;
    nginx) start_nginx_proxy; PORT[nginx]=$NGINX_PORT; MEASURED+=(nginx) ;;
    sluice)
      if ! sluice_implemented; then
        SLUICE_SKIPPED="SluiceServer is still the skeleton (NotImplementedException) on this branch"
      elif ! build_sluice; then
        SLUICE_SKIPPED="dotnet build -c Release of the sluice host failed (SLUICE_HOST=bench hosts the library without the CLI)"
      elif ! start_sluice sluice "$SLUICE_PORT" "$SLUICE_ADMIN_PORT"; then
        SLUICE_SKIPPED="sluice did not become ready (see log above)"
        cp "$WORK/sluice.log" "$RESULTS_DIR/proxy-$STAMP-sluice.log" 2>/dev/null || true
        stop_pid "$PROXY_PID"
      else
        SLUICE_PID=$PROXY_PID; PORT[sluice]=$SLUICE_PORT; MEASURED+=(sluice)
      fi
      [ -n "$SLUICE_SKIPPED" ] && log "sluice skipped: $SLUICE_SKIPPED" ;;
    sluice-obs)
      # The same gateway with every telemetry output on: traces for every request (sampled at 1,
      # exported over OTLP to a port nobody listens on), a JSON access log line per request to a
      # file, StatsD datagrams to a UDP port nobody reads. Metrics are on in both targets.
      [ -n "${SLUICE_PID:-}" ] || build_sluice || die "build failed"
      start_sluice sluice-obs "$SLUICE_OBS_PORT" "$SLUICE_OBS_ADMIN_PORT" \
        --tracing otlp --tracing-protocol http/protobuf --tracing-endpoint "http://127.0.0.1:$SLUICE_OBS_OTLP_PORT" \
        --access-log "$WORK/access.log" --statsd "127.0.0.1:$SLUICE_OBS_STATSD_PORT" || die "sluice-obs did not start"
      PORT[sluice-obs]=$SLUICE_OBS_PORT; MEASURED+=(sluice-obs) ;;
    *) die "unknown target '$target' (direct, nginx, sluice, sluice-obs)" ;;
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

# Per target, the round with the median requests/s (and that round's latencies).
for target in "${MEASURED[@]}"; do
  read -r RPS[$target] P50[$target] P99[$target] ERRS[$target] < <(sort -n -k1,1 "$WORK/rounds-$target" | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }')
  BEST[$target]=$(sort -n -k1,1 "$WORK/rounds-$target" | tail -n 1 | cut -d' ' -f1)
  ALL_RPS[$target]=$(awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $1 }' "$WORK/rounds-$target")
done
if [ -n "${SLUICE_PID:-}" ]; then
  say "# sluice RSS after load: $(( $(rss_kib "$SLUICE_PID") / 1024 )) MiB (peak $(( $(hwm_kib "$SLUICE_PID") / 1024 )) MiB)"
  cp "$WORK/sluice.log" "$RESULTS_DIR/proxy-$STAMP-sluice.log" 2>/dev/null || true
fi

fmt_ms() { awk -v u="$1" 'BEGIN { if (u == "nan" || u == "") print "-"; else printf "%.3f", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "nan" || b == "nan" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

say ""
say "$(printf '%-10s %12s %10s %10s %8s   %s' target 'requests/s' 'p50 ms' 'p99 ms' errors 'requests/s of every round')"
for target in $TARGETS; do
  if [ -n "${RPS[$target]:-}" ]; then
    say "$(printf '%-10s %12.0f %10s %10s %8s   %s' "$target" "${RPS[$target]}" "$(fmt_ms "${P50[$target]}")" \
      "$(fmt_ms "${P99[$target]}")" "${ERRS[$target]}" "${ALL_RPS[$target]}")"
  else
    say "$(printf '%-10s %12s %10s %10s %8s' "$target" n/a - - -)"
  fi
done
say ""
if [ -n "${RPS[sluice]:-}" ]; then
  for base in nginx direct; do
    [ -n "${RPS[$base]:-}" ] || continue
    say "sluice/$base: requests/s x$(ratio "${RPS[sluice]}" "${RPS[$base]}") (best rounds x$(ratio "${BEST[sluice]}" "${BEST[$base]}")), p50 x$(ratio "${P50[sluice]}" "${P50[$base]}"), p99 x$(ratio "${P99[sluice]}" "${P99[$base]}")"
  done
fi
if [ -n "${RPS[sluice]:-}" ] && [ -n "${RPS[sluice-obs]:-}" ]; then
  say "sluice-obs/sluice (tracing + access log + statsd on / off): requests/s x$(ratio "${RPS[sluice-obs]}" "${RPS[sluice]}") (best rounds x$(ratio "${BEST[sluice-obs]}" "${BEST[sluice]}")), p50 x$(ratio "${P50[sluice-obs]}" "${P50[sluice]}"), p99 x$(ratio "${P99[sluice-obs]}" "${P99[sluice]}")"
fi
if [ -n "${RPS[nginx]:-}" ] && [ -n "${RPS[direct]:-}" ]; then
  say "nginx/direct: requests/s x$(ratio "${RPS[nginx]}" "${RPS[direct]}") (best rounds x$(ratio "${BEST[nginx]}" "${BEST[direct]}")), p50 x$(ratio "${P50[nginx]}" "${P50[direct]}"), p99 x$(ratio "${P99[nginx]}" "${P99[direct]}")"
fi
[ -n "$SLUICE_SKIPPED" ] && say "sluice: not measured: $SLUICE_SKIPPED"
say "# raw output: ${RAW#"$REPO_DIR"/}"
