#!/usr/bin/env bash
# Where Sluice's CPU goes per forwarded request, measured so that it holds on a shared, loaded
# machine: CPU time the proxy process spent (utime + stime from /proc) divided by the requests
# it forwarded, not wall-clock throughput. Optionally a perf sampling profile (cpu-clock, JIT
# symbols from the runtime's perf map) summed by component. See bench/README.md.
# Loopback only; every phase is bounded in time.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-10}            # seconds per measurement
WARMUP_SLUICE=${WARMUP_SLUICE:-12}  # the JIT needs ~10 s of load to settle
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-3}                 # interleaved rounds; the median CPU per request is printed
ROUTES=${ROUTES:-1000}
CLIENTS=${CLIENTS:-"yarp direct"}  # the --upstream-client of each Sluice target (yarp, direct)
PERF=${PERF:-1}                     # 1: perf record one extra window per target and summarize it
LOAD_CPU=${LOAD_CPU:-0}
PROXY_CPU=${PROXY_CPU:-1}
BACKEND_PORT=${BACKEND_PORT:-18180}
SLUICE_PORT_BASE=${SLUICE_PORT_BASE:-18200}
READY_TIMEOUT=${READY_TIMEOUT:-120}

require_tools wrk nginx taskset curl awk
[ "$PERF" = 1 ] && require_tools perf
bench_setup profile

write_backend_conf "$WORK/backend" "$BACKEND_PORT"
start_nginx "$LOAD_CPU" "$WORK/backend"
wait_http 200 10 "http://127.0.0.1:$BACKEND_PORT/" || die "backend did not answer on $BACKEND_PORT"

sluice_implemented || die "SluiceServer is still the skeleton on this branch"
build_sluice || die "dotnet build -c Release of the sluice host failed"

declare -A PORT PID ADMIN
index=0
for client in $CLIENTS; do
  port=$(( SLUICE_PORT_BASE + 2 * index )); admin=$(( port + 1 )); index=$(( index + 1 ))
  require_free_ports "$port" "$admin"
  cfg="$WORK/config-$client"
  write_sluice_config "$cfg" "$ROUTES" "$BACKEND_PORT"
  log "sluice ($client): starting with $ROUTES routes"
  # The perf map lets perf name JIT-compiled methods.
  args=(run --config-dir "$cfg" --http-port "$port" --admin-port "$admin" --http2-port 0 --https-port 0 --bind 127.0.0.1)
  # An older build without the flag forwards with HttpClient only.
  if "$SLUICE_BIN" run --help 2>/dev/null | grep -q -- '--upstream-client'; then args+=(--upstream-client "$client"); fi
  # The perf map lets perf name JIT-compiled methods; perf reads it only for code in anonymous
  # memory (no W^X double mapping) and only for JIT-compiled code (no ReadyToRun images: their
  # hot methods are re-jitted at tier 1 under load anyway).
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 taskset -c "$PROXY_CPU" "$SLUICE_BIN" "${args[@]}" >"$WORK/$client.log" 2>&1 &
  PID[$client]=$!; BENCH_PIDS+=("${PID[$client]}"); PORT[$client]=$port; ADMIN[$client]=$admin
  if ! wait_http 200 "$READY_TIMEOUT" "http://127.0.0.1:$admin/readyz" || ! wait_http 200 30 "http://127.0.0.1:$port/r/$(( ROUTES / 2 ))/"; then
    tail -n 40 "$WORK/$client.log" >&2 || true
    die "sluice ($client) did not serve"
  fi
done

wrk_run() { taskset -c "$LOAD_CPU" timeout $(( $1 + 30 )) wrk -t 1 -c "$CONNECTIONS" -d "${1}s" --timeout 5s "$2" >"$3" 2>&1; }
url_of() { echo "http://127.0.0.1:${PORT[$1]}/r/$(( ROUTES / 2 ))/"; }

say "# sluice bench/profile.sh  $STAMP  ($ROUTES routes, wrk -c $CONNECTIONS, sluice alone on core $PROXY_CPU; $(load_note))"
say "# sluice: $(sluice_host_note); env: $(dotnet_env)"
for client in $CLIENTS; do log "$client: warm-up ${WARMUP_SLUICE}s"; wrk_run "$WARMUP_SLUICE" "$(url_of "$client")" /dev/null || true; done

hz=$(getconf CLK_TCK)
for round in $(seq 1 "$ROUNDS"); do
  for client in $CLIENTS; do
    out="$WORK/wrk-$client-$round.txt"
    a0=$(allocated_bytes "${ADMIN[$client]}"); t0=$(cpu_ticks "${PID[$client]}")
    wrk_run "$DURATION" "$(url_of "$client")" "$out" || die "wrk failed against $client"
    t1=$(cpu_ticks "${PID[$client]}"); a1=$(allocated_bytes "${ADMIN[$client]}")
    requests=$(awk '/requests in/ { print $1 }' "$out")
    us=$(awk -v a="$t0" -v b="$t1" -v n="$requests" -v hz="$hz" 'BEGIN { printf "%.1f", (b - a) * 1e6 / hz / n }')
    bytes=$(awk -v a="$a0" -v b="$a1" -v n="$requests" 'BEGIN { printf "%.0f", (b - a) / n }')
    echo "$us $bytes" >>"$WORK/cpu-$client"
    say "round $round $client: $requests requests, CPU ${us} us/request, ${bytes} B allocated/request ($(load_note))"
  done
done
for client in $CLIENTS; do
  say "$client: median CPU $(median_col "$WORK/cpu-$client" 1) us/request, $(median_col "$WORK/cpu-$client" 2) B allocated/request"
done

# A sampling profile per target, summed by component (the namespace or library a frame is in).
if [ "$PERF" = 1 ]; then
  for client in $CLIENTS; do
    pid=${PID[$client]}
    wrk_run "$(( DURATION + 2 ))" "$(url_of "$client")" /dev/null &
    wrk_pid=$!
    sleep 1
    perf record -q -F 499 -e cpu-clock -p "$pid" -o "$WORK/perf-$client.data" -- sleep "$DURATION" >/dev/null 2>&1 || log "perf record failed"
    wait "$wrk_pid" || true
    perf report -i "$WORK/perf-$client.data" --no-children --sort sym --stdio 2>/dev/null >"$WORK/perf-$client.txt" || true
    cp "$WORK/perf-$client.txt" "$RESULTS_DIR/profile-$STAMP-$client.txt"
    say ""
    say "## $client: self CPU by component (perf cpu-clock samples)"
    awk '/^ +[0-9.]+%/ {
        pct = $1; sub(/%/, "", pct); s = $0; sub(/^ +[0-9.]+% +/, "", s)
        c = "other"
        if (s ~ /\[k\]/) c = "kernel (TCP, syscalls, scheduler)"
        else if (s ~ /Microsoft\.AspNetCore\.Server\.Kestrel|Http1Connection|HttpProtocol|HttpRequestHeaders|HttpResponseHeaders|KestrelConnection/) c = "Kestrel"
        else if (s ~ /System\.Net\.Http\.(HttpConnection|SocketsHttpHandler|HttpConnectionPool|Headers|HttpRequestMessage|HttpResponseMessage|HttpContent|Http)|HttpMessageInvoker|MetricsHandler|DiagnosticsHandler/) c = "HttpClient (SocketsHttpHandler, HttpHeaders)"
        else if (s ~ /Sluice\.Gateway\.Forwarding/) c = "Sluice direct forwarder"
        else if (s ~ /Yarp\./) c = "YARP forwarder"
        else if (s ~ /Sluice\./) c = "Sluice (routing, pipeline, resilience, telemetry)"
        else if (s ~ /System\.Net\.Sockets|System\.IO\.Pipelines|SocketAsyncEngine/) c = "Sockets, Pipelines"
        else if (s ~ /System\.Threading|ThreadPool|PortableThreadPool|Task|Interlocked/) c = "thread pool, tasks"
        else if (s ~ /libcoreclr|libclrjit|GC|gc_heap|WKS::|SVR::|Allocate/) c = "runtime (GC, allocation, JIT)"
        else if (s ~ /libc|pthread|libSystem/) c = "libc, native interop"
        sum[c] += pct }
      END { for (c in sum) printf "%6.1f%%  %s\n", sum[c], c }' "$WORK/perf-$client.txt" | sort -rn | tee -a "$RAW"
    say "top methods:"
    awk '/^ +[0-9.]+%/ && n++ < 25' "$WORK/perf-$client.txt" | tee -a "$RAW"
  done
fi
say "# raw output: ${RAW#"$REPO_DIR"/}"
