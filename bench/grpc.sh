#!/usr/bin/env bash
# gRPC transcoding: JSON to a unary method through Sluice, beside a direct gRPC call from a .NET
# client, in the same run. Reports requests/s for both, the gateway's allocated bytes per
# transcoded call, and each client's own allocated bytes per call. See bench/README.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-3}
WARMUP_SLUICE=${WARMUP_SLUICE:-10}
LOAD_CPU=${LOAD_CPU:-0}
PROXY_CPU=${PROXY_CPU:-1}
BACKEND_PORT=${BACKEND_PORT:-18090}
GRPC_PORT=${GRPC_PORT:-18091}
SLUICE_PORT=${SLUICE_PORT:-18092}
SLUICE_ADMIN_PORT=${SLUICE_ADMIN_PORT:-18093}
SLUICE_H2_PORT=${SLUICE_H2_PORT:-18094}
SLUICE_TLS_PORT=${SLUICE_TLS_PORT:-18095}

require_tools curl taskset dotnet
require_free_ports "$BACKEND_PORT" "$GRPC_PORT" "$SLUICE_PORT" "$SLUICE_ADMIN_PORT" "$SLUICE_H2_PORT" "$SLUICE_TLS_PORT"
bench_setup grpc

CLI="$REPO_DIR/src/Sluice.Cli/bin/Release/net10.0/sluice"
BENCH="$BENCH_DIR/Sluice.Bench/bin/Release/net10.0/Sluice.Bench"
if [ "${SKIP_BUILD:-0}" != "1" ] || [ ! -x "$CLI" ] || [ ! -x "$BENCH" ]; then
  log "building src/Sluice.Cli and bench/Sluice.Bench (Release)…"
  (cd "$REPO_DIR" && timeout 600 dotnet build -c Release -nologo -v q src/Sluice.Cli/Sluice.Cli.csproj \
    && timeout 600 dotnet build -c Release -nologo -v q bench/Sluice.Bench/Sluice.Bench.csproj) >&2
fi

CONFIG="$WORK/config"
mkdir -p "$CONFIG/upstreams" "$CONFIG/virtualservices" "$CONFIG/files"
cp "$REPO_DIR/examples/grpc/files/bookstore.descriptors" "$CONFIG/files/"
cat >"$CONFIG/upstreams/bookstore.yaml" <<YAML
name: bookstore
type: static
spec: { hosts: [{ addr: 127.0.0.1, port: $GRPC_PORT }] }
service_info:
  type: gRPC
  properties: { grpc_service_names: [Bookstore], descriptors_file_ref: bookstore.descriptors }
YAML
cat >"$CONFIG/virtualservices/default.yaml" <<'YAML'
name: default
routes:
- request_matcher: { path_exact: /bench/shelf }
  single_destination: { function: { upstream_name: bookstore, function_name: GetShelf } }
- request_matcher: { path_prefix: /v1/ }
  single_destination: { upstream: { name: bookstore } }
YAML

log "starting the sample bookstore (gRPC on $GRPC_PORT, cpu $LOAD_CPU)"
taskset -c "$LOAD_CPU" "$CLI" sample-backend --port "$BACKEND_PORT" --grpc-port "$GRPC_PORT" >"$WORK/backend.log" 2>&1 &
BENCH_PIDS+=($!)
log "starting the gateway (bench/Sluice.Bench run, cpu $PROXY_CPU)"
taskset -c "$PROXY_CPU" "$BENCH" run --config-dir "$CONFIG" --http-port "$SLUICE_PORT" --admin-port "$SLUICE_ADMIN_PORT" \
  --http2-port "$SLUICE_H2_PORT" --https-port "$SLUICE_TLS_PORT" --bind 127.0.0.1 >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
BENCH_PIDS+=($GATEWAY_PID)
wait_http 200 90 "http://127.0.0.1:$SLUICE_PORT/v1/shelves/1" || die "the gateway did not serve the bookstore (see $WORK/gateway.log)"

# gateway_allocated: asks the gateway for its allocated bytes (SIGHUP) and prints them.
gateway_allocated() {
  local before after i
  before=$(grep -c '^allocated-bytes' "$WORK/gateway.log" || true)
  kill -HUP "$GATEWAY_PID"
  for i in $(seq 1 100); do
    after=$(grep -c '^allocated-bytes' "$WORK/gateway.log" || true)
    [ "$after" -gt "$before" ] && break
    sleep 0.02
  done
  grep '^allocated-bytes' "$WORK/gateway.log" | tail -1 | cut -d' ' -f2
}

# load TARGET SECONDS -> the load's result line
load() {
  local url
  if [ "$1" = json ]; then url="http://127.0.0.1:$SLUICE_PORT/bench/shelf"; else url="http://127.0.0.1:$GRPC_PORT"; fi
  taskset -c "$LOAD_CPU" "$BENCH" grpc-load --target "$1" --url "$url" --connections "$CONNECTIONS" --duration "$2"
}

field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

say "# bench/grpc.sh $STAMP: gRPC transcoding (JSON through Sluice) vs a direct gRPC call"
say "# gateway: bench/Sluice.Bench run on cpu $PROXY_CPU; bookstore and load on cpu $LOAD_CPU; $CONNECTIONS calls in flight, ${DURATION}s x $ROUNDS rounds; $(load_note)"
log "warming up (${WARMUP_SLUICE}s through Sluice, 3s direct)"
load json "$WARMUP_SLUICE" >/dev/null
load grpc 3 >/dev/null

JSON_RPS=() GRPC_RPS=() GW_BYTES=() JSON_CLIENT=() GRPC_CLIENT=()
for round in $(seq 1 "$ROUNDS"); do
  a=$(gateway_allocated)
  line=$(load json "$DURATION")
  b=$(gateway_allocated)
  requests=$(field "$line" requests)
  per_call=$(( (b - a) / (requests > 0 ? requests : 1) ))
  say "round $round: $line gateway_bytes_per_call=$per_call"
  JSON_RPS+=("$(field "$line" rps)"); GW_BYTES+=("$per_call"); JSON_CLIENT+=("$(field "$line" client_bytes_per_call)")
  line=$(load grpc "$DURATION")
  say "round $round: $line"
  GRPC_RPS+=("$(field "$line" rps)"); GRPC_CLIENT+=("$(field "$line" client_bytes_per_call)")
done

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
jm=$(median "${JSON_RPS[@]}"); gm=$(median "${GRPC_RPS[@]}")
say ""
say "JSON -> Sluice -> gRPC (unary GetShelf): median $jm req/s (rounds: ${JSON_RPS[*]}); gateway allocated $(median "${GW_BYTES[@]}") bytes/call (rounds: ${GW_BYTES[*]}); HttpClient $(median "${JSON_CLIENT[@]}") bytes/call"
say "gRPC direct (Grpc.Net.Client):            median $gm req/s (rounds: ${GRPC_RPS[*]}); Grpc.Net.Client $(median "${GRPC_CLIENT[@]}") bytes/call"
say "ratio sluice-json/direct-grpc: $(awk -v a="$jm" -v b="$gm" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
say "gateway RSS after load: $(( $(rss_kib "$GATEWAY_PID") / 1024 )) MiB"
log "raw results: $RAW"
