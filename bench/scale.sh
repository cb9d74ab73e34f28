#!/usr/bin/env bash
# Scale run: 10, 1,000 and 10,000 routes. Per size, a fresh config dir and a fresh `sluice run`:
#   startup-to-ready  time from process start until /readyz is 200
#   last-route        time from process start until a request to the last route answers 200
#   change-to-served  time from rewriting one virtual service file (one route added) until the
#                     new route answers 200 (median of CHANGES edits)
#   RSS               VmRSS after startup and after LOAD_DURATION seconds of load over all routes
# Optionally (INPROC=auto|1|0) the translator alone, in process (bench/Sluice.Bench).
# See bench/README.md. Loopback only; every wait is bounded.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZES=${SIZES:-"10 1000 10000"}
ROUTES_PER_VS=${ROUTES_PER_VS:-100}
UPSTREAMS=${UPSTREAMS:-5}
CHANGES=${CHANGES:-3}
LOAD_DURATION=${LOAD_DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
LOAD_CPU=${LOAD_CPU:-0}
SLUICE_CPUS=${SLUICE_CPUS:-1}       # taskset list for sluice; "0,1" to give it both cores
BACKEND_PORT=${BACKEND_PORT:-18090}
SLUICE_PORT=${SLUICE_PORT:-18091}
SLUICE_ADMIN_PORT=${SLUICE_ADMIN_PORT:-18092}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-180}
CHANGE_TIMEOUT=${CHANGE_TIMEOUT:-60}
INPROC=${INPROC:-auto}
INPROC_ITERATIONS=${INPROC_ITERATIONS:-10}

require_tools wrk nginx taskset curl awk
require_free_ports "$BACKEND_PORT" "$SLUICE_PORT" "$SLUICE_ADMIN_PORT"

bench_setup scale

vs_count() { echo $(( ($1 + ROUTES_PER_VS - 1) / ROUTES_PER_VS )); }

# gen_config DIR N: UPSTREAMS static upstreams (all -> the backend), ceil(N/ROUTES_PER_VS)
# virtual services with distinct domains vs-NNNNN.bench.test, one file each, and N path_prefix
# routes /vs-NNNNN/r-NNNNN/ numbered globally, upstreams assigned round-robin.
gen_config() {
  local dir=$1 n=$2
  mkdir -p "$dir/upstreams" "$dir/virtualservices"
  awk -v n="$UPSTREAMS" -v port="$BACKEND_PORT" 'BEGIN {
    for (u = 0; u < n; u++) {
      if (u > 0) print "---"
      printf "name: up-%02d\ntype: static\nspec:\n  hosts:\n  - addr: 127.0.0.1\n    port: %d\n", u, port
    }
  }' >"$dir/upstreams/upstreams.yml"
  awk -v n="$n" -v per="$ROUTES_PER_VS" -v ups="$UPSTREAMS" -v dir="$dir/virtualservices" 'BEGIN {
    for (r = 0; r < n; r++) {
      v = int(r / per)
      f = sprintf("%s/vs-%05d.yml", dir, v)
      if (r % per == 0) {
        if (r > 0) close(prev)
        printf "name: vs-%05d\ndomains:\n- vs-%05d.bench.test\nroutes:\n", v, v > f
        prev = f
      }
      printf "- request_matcher:\n    path_prefix: /vs-%05d/r-%05d/\n  single_destination:\n    upstream:\n      name: up-%02d\n", v, r, r % ups >> f
    }
  }'
}

# add_route DIR N K: rewrites the last virtual service's file with one more route,
# /vs-NNNNN/new-K/, written beside it and renamed over it so no reader sees half a file.
add_route() {
  local dir=$1 n=$2 k=$3 v f tmp
  v=$(( $(vs_count "$n") - 1 ))
  f=$(printf '%s/virtualservices/vs-%05d.yml' "$dir" "$v")
  tmp="$dir/virtualservices/.vs-edit.tmp"
  cp "$f" "$tmp"
  printf -- '- request_matcher:\n    path_prefix: /vs-%05d/new-%d/\n  single_destination:\n    upstream:\n      name: up-00\n' "$v" "$k" >>"$tmp"
  mv -f "$tmp" "$f"
}

route_url() { printf 'http://127.0.0.1:%s/vs-%05d/%s/x' "$SLUICE_PORT" "$1" "$2"; }
route_host() { printf 'Host: vs-%05d.bench.test' "$1"; }

# A wrk script that spreads requests over every route of the config.
gen_wrk_lua() {
  local file=$1 n=$2
  cat >"$file" <<LUA
local n, per = $n, $ROUTES_PER_VS
local counter = 0
request = function()
  local r = counter % n
  counter = counter + 1
  local v = math.floor(r / per)
  return wrk.format("GET", string.format("/vs-%05d/r-%05d/x", v, r),
    { ["Host"] = string.format("vs-%05d.bench.test", v) })
end
LUA
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print a[int((NR + 1) / 2)] }'; }

# --- the in-process translator benchmark (optional) ------------------------------------------
INPROC_DLL="$BENCH_DIR/Sluice.Bench/bin/Release/net10.0/Sluice.Bench.dll"
INPROC_NOTE=""
prepare_inproc() {
  case "$INPROC" in
    0) INPROC_NOTE="skipped (INPROC=0)"; return 1 ;;
  esac
  if ! grep -rqs 'class Translator\b' "$REPO_DIR/src/Sluice" || ! grep -rqs 'class FileStore\b' "$REPO_DIR/src/Sluice"; then
    INPROC_NOTE="skipped: Translator/FileStore are not on this branch yet"
    [ "$INPROC" = "1" ] && die "$INPROC_NOTE"
    return 1
  fi
  log "building bench/Sluice.Bench (Release)…"
  if ! (cd "$BENCH_DIR/Sluice.Bench" && timeout 600 dotnet build -c Release -nologo -v q) >"$WORK/inproc-build.log" 2>&1; then
    cat "$WORK/inproc-build.log" >&2
    INPROC_NOTE="skipped: bench/Sluice.Bench does not build against this branch"
    [ "$INPROC" = "1" ] && die "$INPROC_NOTE"
    return 1
  fi
}

# --- start --------------------------------------------------------------------------------
sluice_implemented || die "SluiceServer is still the skeleton (NotImplementedException) on this branch; nothing to measure"
build_sluice || die "dotnet build -c Release of the sluice host failed (SLUICE_HOST=bench hosts the library without the CLI)"
HAVE_INPROC=0
prepare_inproc && HAVE_INPROC=1

write_backend_conf "$WORK/backend" "$BACKEND_PORT"
start_nginx "$LOAD_CPU" "$WORK/backend"
wait_http 200 10 "http://127.0.0.1:$BACKEND_PORT/" || die "backend did not answer on $BACKEND_PORT"

BIND_ARGS=()
if "$SLUICE_BIN" run --help 2>/dev/null | grep -q -- '--bind'; then BIND_ARGS=(--bind 127.0.0.1); fi

say "# sluice bench/scale.sh  $STAMP"
say "# host: $(nproc) cores, $(uname -r); $(load_note)"
say "# layout: sluice on cpu(s) $SLUICE_CPUS; wrk + backend nginx on core $LOAD_CPU"
say "# sluice: $(sluice_host_note); env: $(dotnet_env)"
BUSY=$(busy_warning)
[ -n "$BUSY" ] && say "$BUSY"
say "# config: $ROUTES_PER_VS path_prefix routes per virtual service (distinct domains), $UPSTREAMS static upstreams -> one nginx backend"
say "# load before RSS: wrk -t $THREADS -c $CONNECTIONS, ${LOAD_DURATION}s, round-robin over all routes"

declare -A T_READY T_LAST T_CHANGE RSS_IDLE RSS_LOAD HWM LOAD_RPS LOAD_ERR IP_LINE

for n in $SIZES; do
  cfg="$WORK/config-$n"
  gen_config "$cfg" "$n"
  nvs=$(vs_count "$n")
  last_vs=$(( nvs - 1 )); last_r=$(( n - 1 ))
  last_url=$(route_url "$last_vs" "$(printf 'r-%05d' "$last_r")")
  log "N=$n: $nvs virtual services, $(du -sh "$cfg" | cut -f1) of YAML"

  if [ "$HAVE_INPROC" = "1" ]; then
    log "N=$n: translator in process"
    if line=$(taskset -c "$SLUICE_CPUS" timeout 600 dotnet "$INPROC_DLL" translate "$cfg" --iterations "$INPROC_ITERATIONS" 2>"$WORK/inproc-$n.err" | tee -a "$RAW" | tail -n 1); then
      IP_LINE[$n]=$line
    else
      cat "$WORK/inproc-$n.err" >&2
      IP_LINE[$n]="failed"
    fi
  fi

  log "N=$n: starting sluice"
  t0=$(now_ms)
  taskset -c "$SLUICE_CPUS" "$SLUICE_BIN" run --config-dir "$cfg" --http-port "$SLUICE_PORT" \
    --admin-port "$SLUICE_ADMIN_PORT" --http2-port 0 --https-port 0 "${BIND_ARGS[@]}" >"$WORK/sluice-$n.log" 2>&1 &
  pid=$!
  BENCH_PIDS+=("$pid")
  if ! wait_http 200 "$STARTUP_TIMEOUT" "http://127.0.0.1:$SLUICE_ADMIN_PORT/readyz"; then
    tail -n 40 "$WORK/sluice-$n.log" >&2 || true
    cp "$WORK/sluice-$n.log" "$RESULTS_DIR/scale-$STAMP-sluice-$n.log" || true
    die "N=$n: /readyz not 200 within ${STARTUP_TIMEOUT}s"
  fi
  T_READY[$n]=$(( $(now_ms) - t0 ))
  if ! wait_http 200 "$STARTUP_TIMEOUT" "$last_url" -H "$(route_host "$last_vs")"; then
    curl -s -i --max-time 2 -H "$(route_host "$last_vs")" "$last_url" >&2 || true
    cp "$WORK/sluice-$n.log" "$RESULTS_DIR/scale-$STAMP-sluice-$n.log" || true
    die "N=$n: last route $last_url did not answer 200"
  fi
  T_LAST[$n]=$(( $(now_ms) - t0 ))
  sleep 2
  RSS_IDLE[$n]=$(rss_kib "$pid")

  changes=""
  for k in $(seq 1 "$CHANGES"); do
    new_url=$(route_url "$last_vs" "new-$k")
    code=$(http_code "$new_url" -H "$(route_host "$last_vs")")
    [ "$code" = "200" ] && die "N=$n: $new_url answers 200 before it was added"
    t1=$(now_ms)
    add_route "$cfg" "$n" "$k"
    if ! wait_http 200 "$CHANGE_TIMEOUT" "$new_url" -H "$(route_host "$last_vs")"; then
      cp "$WORK/sluice-$n.log" "$RESULTS_DIR/scale-$STAMP-sluice-$n.log" || true
      die "N=$n: added route $new_url not served within ${CHANGE_TIMEOUT}s"
    fi
    changes="$changes $(( $(now_ms) - t1 ))"
    sleep 1
  done
  T_CHANGE[$n]=$(echo "$changes" | median)

  gen_wrk_lua "$WORK/spread-$n.lua" "$n"
  log "N=$n: load ${LOAD_DURATION}s over all routes"
  taskset -c "$LOAD_CPU" timeout $(( LOAD_DURATION + 30 )) wrk -t "$THREADS" -c "$CONNECTIONS" -d "${LOAD_DURATION}s" \
    --timeout 5s --latency -s "$WORK/spread-$n.lua" "http://127.0.0.1:$SLUICE_PORT/" >"$WORK/wrk-$n.txt" 2>&1 \
    || die "wrk failed at N=$n"
  read -r rps _ _ errs < <(parse_wrk "$WORK/wrk-$n.txt")
  LOAD_RPS[$n]=$rps; LOAD_ERR[$n]=$errs
  RSS_LOAD[$n]=$(rss_kib "$pid"); HWM[$n]=$(hwm_kib "$pid")
  {
    echo "----- N=$n: startup ${T_READY[$n]} ms to ready, ${T_LAST[$n]} ms to last route; changes (ms):$changes"
    echo "----- N=$n: RSS idle ${RSS_IDLE[$n]} KiB, after load ${RSS_LOAD[$n]} KiB, peak ${HWM[$n]} KiB"
    echo "----- wrk N=$n -----"; cat "$WORK/wrk-$n.txt"; echo
  } >>"$RAW"
  cp "$WORK/sluice-$n.log" "$RESULTS_DIR/scale-$STAMP-sluice-$n.log" || true
  stop_pid "$pid"
done

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
say ""
say "$(printf '%7s %11s %11s %11s %10s %10s %10s %10s %7s' routes 'ready ms' 'last-rt ms' 'change ms' 'RSS MiB' 'RSS load' 'peak MiB' 'load rps' errors)"
for n in $SIZES; do
  say "$(printf '%7s %11s %11s %11s %10s %10s %10s %10.0f %7s' "$n" "${T_READY[$n]}" "${T_LAST[$n]}" "${T_CHANGE[$n]}" \
    "$(mib "${RSS_IDLE[$n]}")" "$(mib "${RSS_LOAD[$n]}")" "$(mib "${HWM[$n]}")" "${LOAD_RPS[$n]}" "${LOAD_ERR[$n]}")"
done
if [ "$HAVE_INPROC" = "1" ]; then
  say ""
  say "translator alone, in process (bench/Sluice.Bench on cpu(s) $SLUICE_CPUS, $INPROC_ITERATIONS warm iterations; ms, MiB):"
  for n in $SIZES; do say "$(printf '%7s  %s' "$n" "${IP_LINE[$n]:-}")"; done
else
  say "translator in process: $INPROC_NOTE"
fi
say "# raw output: ${RAW#"$REPO_DIR"/}"
