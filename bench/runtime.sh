#!/usr/bin/env bash
# Runtime and Kestrel settings, A/B'd against Sluice's shipped defaults in one run with
# interleaved rounds (issue 10, item 5). Each variant is the same build and config started with
# one setting changed; all are started first, then measured in turn, round after round.
# See bench/README.md. Loopback only; every phase is bounded in time.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-10}            # seconds per measurement
WARMUP_SLUICE=${WARMUP_SLUICE:-10}  # before round 1, per variant (the JIT needs ~10 s of load)
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-3}
ROUTES=${ROUTES:-1000}
LOAD_CPU=${LOAD_CPU:-0}
PROXY_CPU=${PROXY_CPU:-1}           # one core, as in proxy.sh: what "with one CPU" means below
BACKEND_PORT=${BACKEND_PORT:-18380}
SLUICE_PORT_BASE=${SLUICE_PORT_BASE:-18400}
READY_TIMEOUT=${READY_TIMEOUT:-180}

# name|environment (space-separated VAR=value, "-" for none)|extra sluice run flags
VARIANT_TABLE=(
  "shipped|-|"
  "inline-sockets-off|DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0|"
  "gc-workstation|DOTNET_gcServer=0|"
  "gc-server-concurrent|DOTNET_gcConcurrent=1|"
  "datas-off|DOTNET_GCDynamicAdaptationMode=0|"
  "spin-0|DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0|"
  "kestrel-inline|SLUICE_KESTREL_INLINE_SCHEDULING=1|"
  "kestrel-ioqueues-0|SLUICE_KESTREL_IO_QUEUES=0|"
)
VARIANTS=${VARIANTS:-$(printf '%s\n' "${VARIANT_TABLE[@]}" | cut -d'|' -f1 | tr '\n' ' ')}

require_tools wrk nginx taskset curl awk
bench_setup runtime

write_backend_conf "$WORK/backend" "$BACKEND_PORT"
start_nginx "$LOAD_CPU" "$WORK/backend"
wait_http 200 10 "http://127.0.0.1:$BACKEND_PORT/" || die "backend did not answer on $BACKEND_PORT"
sluice_implemented || die "SluiceServer is still the skeleton on this branch"
build_sluice || die "dotnet build -c Release of the sluice host failed"
write_sluice_config "$WORK/config" "$ROUTES" "$BACKEND_PORT"

declare -A PORT ADMIN PID ENVS
index=0
for variant in $VARIANTS; do
  row=$(printf '%s\n' "${VARIANT_TABLE[@]}" | awk -F'|' -v v="$variant" '$1 == v')
  [ -n "$row" ] || die "unknown variant '$variant' (known: $(printf '%s\n' "${VARIANT_TABLE[@]}" | cut -d'|' -f1 | tr '\n' ' '))"
  env_list=$(echo "$row" | cut -d'|' -f2); flags=$(echo "$row" | cut -d'|' -f3)
  [ "$env_list" = "-" ] && env_list=""
  port=$(( SLUICE_PORT_BASE + 2 * index )); admin=$(( port + 1 )); index=$(( index + 1 ))
  require_free_ports "$port" "$admin"
  log "$variant: starting (${env_list:-shipped defaults} $flags)"
  # shellcheck disable=SC2086 # the variant's settings are words on purpose
  env $env_list taskset -c "$PROXY_CPU" "$SLUICE_BIN" run --config-dir "$WORK/config" --http-port "$port" --admin-port "$admin" \
    --http2-port 0 --https-port 0 --bind 127.0.0.1 $flags >"$WORK/$variant.log" 2>&1 &
  PID[$variant]=$!; BENCH_PIDS+=("${PID[$variant]}"); PORT[$variant]=$port; ADMIN[$variant]=$admin; ENVS[$variant]="${env_list:-(none)} $flags"
  if ! wait_http 200 "$READY_TIMEOUT" "http://127.0.0.1:$admin/readyz" || ! wait_http 200 30 "http://127.0.0.1:$port/r/$(( ROUTES / 2 ))/"; then
    tail -n 40 "$WORK/$variant.log" >&2 || true
    die "$variant did not serve"
  fi
done

run_wrk() { # run_wrk SECONDS URL OUTFILE
  taskset -c "$LOAD_CPU" timeout $(( $1 + 30 )) wrk -t 1 -c "$CONNECTIONS" -d "${1}s" --timeout 5s --latency "$2" >"$3" 2>&1
}

say "# sluice bench/runtime.sh  $STAMP"
say "# $ROUTES routes, wrk -c $CONNECTIONS, ${DURATION}s x $ROUNDS interleaved round(s); each variant alone on core $PROXY_CPU; wrk + backend on core $LOAD_CPU"
say "# sluice: $(sluice_host_note); env: $(dotnet_env)"
BUSY=$(busy_warning)
[ -n "$BUSY" ] && say "$BUSY"

hz=$(getconf CLK_TCK)
for round in $(seq 1 "$ROUNDS"); do
  for variant in $VARIANTS; do
    url="http://127.0.0.1:${PORT[$variant]}/r/$(( ROUTES / 2 ))/"
    out="$WORK/wrk-$variant-$round.txt"
    warm=1; [ "$round" = 1 ] && warm=$WARMUP_SLUICE
    log "$variant: warm-up ${warm}s, then round $round ($(load_note))"
    run_wrk "$warm" "$url" /dev/null || true
    alloc0=$(allocated_bytes "${ADMIN[$variant]}"); t0=$(cpu_ticks "${PID[$variant]}")
    run_wrk "$DURATION" "$url" "$out" &
    wrk_pid=$!
    sleep "$(awk -v d="$DURATION" 'BEGIN { print d / 2 }')"
    rss=$(tree_rss_kib "${PID[$variant]}")
    wait "$wrk_pid" || die "wrk failed against $variant"
    t1=$(cpu_ticks "${PID[$variant]}"); alloc1=$(allocated_bytes "${ADMIN[$variant]}")
    { echo "----- wrk: $variant round $round ($url), $(load_note) -----"; cat "$out"; echo; } >>"$RAW"
    requests=$(awk '/requests in/ { print $1 }' "$out")
    read -r rps p50 p99 errs < <(parse_wrk "$out")
    awk -v rps="$rps" -v p50="$p50" -v p99="$p99" -v e="$errs" -v rss="$rss" -v a0="$alloc0" -v a1="$alloc1" -v t0="$t0" -v t1="$t1" -v n="${requests:-0}" -v hz="$hz" \
      'BEGIN { cpu = (n > 0) ? (t1 - t0) * 1e6 / hz / n : "nan"; alloc = (n > 0 && a0 != "" && a1 != "") ? (a1 - a0) / n : "nan";
               printf "%s %s %s %s %s %s %s\n", rps, p50, p99, e, rss, alloc, cpu }' >>"$WORK/rounds-$variant"
  done
done

say ""
say "Medians over rounds; (xR) is the ratio to the shipped defaults. CPU us/req is the process's CPU time per request (less disturbed by other load than requests/s)."
say "$(printf '%-21s %-16s %-16s %-16s %-14s %-12s %-10s %-7s %s' variant 'requests/s' "p50 ms" "p99 ms" 'CPU us/req' 'RSS MiB' 'B/request' errors settings)"
for variant in $VARIANTS; do
  f="$WORK/rounds-$variant"; b="$WORK/rounds-shipped"
  [ -f "$b" ] || b=$f
  rps=$(median_col "$f" 1); p50=$(median_col "$f" 2); p99=$(median_col "$f" 3); rss=$(median_col "$f" 5); alloc=$(median_col "$f" 6); cpu=$(median_col "$f" 7)
  errs=$(awk '{ s += $4 } END { print s + 0 }' "$f")
  say "$(printf '%-21s %-16s %-16s %-16s %-14s %-12s %-10s %-7s %s' "$variant" \
    "$(printf '%.0f' "$rps") (x$(ratio "$rps" "$(median_col "$b" 1)"))" \
    "$(awk -v u="$p50" 'BEGIN { printf "%.3f", u / 1000 }') (x$(ratio "$p50" "$(median_col "$b" 2)"))" \
    "$(awk -v u="$p99" 'BEGIN { printf "%.3f", u / 1000 }') (x$(ratio "$p99" "$(median_col "$b" 3)"))" \
    "$(awk -v c="$cpu" 'BEGIN { if (c == "nan") print "-"; else printf "%.1f", c }') (x$(ratio "$cpu" "$(median_col "$b" 7)"))" \
    "$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')" \
    "$(awk -v a="$alloc" 'BEGIN { if (a == "nan") print "-"; else printf "%.0f", a }')" "$errs" "${ENVS[$variant]}")"
done
say "# raw output: ${RAW#"$REPO_DIR"/}"
