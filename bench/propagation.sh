#!/usr/bin/env bash
# Propagation: time from `sluice apply` (against etcd) until every gateway serves the change.
# Three etcd members, three gateways and one controller on loopback, one backend; N changes
# (default 100), each adding a route that the script then polls for on every gateway. Reports
# p50/p99/max, first with a small config, then with 10,000 routes loaded (ROUTES).
#   bench/propagation.sh                   CHANGES=100 ROUTES=10000 by default
# Needs etcd (apt-get install -y etcd-server etcd-client), curl and the .NET SDK.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHANGES=${CHANGES:-100}
ROUTES=${ROUTES:-10000}
BASE_PORT=${BASE_PORT:-24700}
require_tools etcd curl
bench_setup propagation
build_sluice() { [ -n "$SLUICE_BIN_GIVEN" ] || dotnet build "$REPO_DIR/src/Sluice.Cli/Sluice.Cli.csproj" -c Release -nologo -v quiet >/dev/null; }
build_sluice

endpoints=""
cluster=""
for i in 1 2 3; do
  endpoints+="${endpoints:+,}http://127.0.0.1:$((BASE_PORT + i))"
  cluster+="${cluster:+,}m$i=http://127.0.0.1:$((BASE_PORT + 10 + i))"
done
backend_port=$((BASE_PORT + 20))
require_free_ports $((BASE_PORT + 1)) $((BASE_PORT + 2)) $((BASE_PORT + 3)) "$backend_port"
export SLUICE_STORE=etcd SLUICE_ETCD_ENDPOINTS=$endpoints SLUICE_ETCD_PREFIX=/bench/

for i in 1 2 3; do
  etcd --name "m$i" --data-dir "$WORK/m$i" \
    --listen-client-urls "http://127.0.0.1:$((BASE_PORT + i))" --advertise-client-urls "http://127.0.0.1:$((BASE_PORT + i))" \
    --listen-peer-urls "http://127.0.0.1:$((BASE_PORT + 10 + i))" --initial-advertise-peer-urls "http://127.0.0.1:$((BASE_PORT + 10 + i))" \
    --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token sluice-bench \
    --quota-backend-bytes 4294967296 --max-request-bytes 33554432 --logger zap --log-level warn >"$WORK/etcd-$i.log" 2>&1 &
  BENCH_PIDS+=($!)
done
for i in 1 2 3; do
  wait_http 200 30 "http://127.0.0.1:$((BASE_PORT + i))/health" || die "etcd member $i did not become healthy"
done
log "etcd: 3 members on $endpoints"

"$SLUICE_BIN" sample-backend --bind 127.0.0.1 --port "$backend_port" >"$WORK/backend.log" 2>&1 &
BENCH_PIDS+=($!)

cat >"$WORK/base.yaml" <<YAML
name: backend
type: static
spec:
  hosts: [{addr: 127.0.0.1, port: $backend_port}]
YAML
"$SLUICE_BIN" apply -f "$WORK/base.yaml" >/dev/null

"$SLUICE_BIN" run --role controller --admin-port $((BASE_PORT + 30)) >"$WORK/controller.log" 2>&1 &
BENCH_PIDS+=($!)
gateways=()
for i in 1 2 3; do
  "$SLUICE_BIN" run --role gateway --bind 127.0.0.1 --http-port $((BASE_PORT + 40 + i)) --https-port 0 --http2-port 0 \
    --admin-port $((BASE_PORT + 50 + i)) >"$WORK/gateway-$i.log" 2>&1 &
  BENCH_PIDS+=($!)
  gateways+=("http://127.0.0.1:$((BASE_PORT + 40 + i))")
done

# apply FILE: `sluice apply -f FILE`, tried up to three times. On a loaded machine an etcd call
# can miss its 5 s deadline; the retry is counted (RETRIES) and its time stays in the figures.
RETRIES=0
apply() {
  local attempt
  for attempt in 1 2 3; do
    "$SLUICE_BIN" apply -f "$1" >/dev/null 2>"$WORK/apply.err" && return 0
    [ "$attempt" = 3 ] && die "sluice apply -f $1 failed three times: $(cat "$WORK/apply.err")"
    RETRIES=$((RETRIES + 1))
    log "apply failed, retrying: $(head -1 "$WORK/apply.err")"
  done
}

# site N TAG: the virtual service "site" (every domain) with routes /TAG1/ … /TAGN/.
site() {
  local n=$1 tag=$2 i
  printf 'name: site\ndomains: ["*"]\nroutes:\n'
  for i in $(seq 1 "$n"); do
    printf -- '- request_matcher: {path_prefix: /%s%d/}\n  single_destination: {upstream: {name: backend}}\n' "$tag" "$i"
  done
}

# percentiles FILE: "p50 X ms, p99 Y ms, max Z ms" of the numbers in FILE.
percentiles() {
  local n p50 p99 max
  sort -n "$1" -o "$1"
  n=$(wc -l <"$1")
  p50=$(sed -n "$(( (n + 1) / 2 ))p" "$1")
  p99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$1")
  max=$(tail -1 "$1")
  echo "p50 ${p50} ms, p99 ${p99} ms, max ${max} ms"
}

# measure LABEL TAG: CHANGES applies of "site", each one route longer. Reports the time from
# starting `sluice apply` until all three gateways serve the new route, and the part of it after
# apply returned (the `sluice` process's own start-up, a JIT-heavy second or more on a loaded
# machine, is in the first figure only).
measure() {
  local label=$1 tag=$2 change start applied gateway
  : >"$WORK/total"; : >"$WORK/after"
  for change in $(seq 1 "$CHANGES"); do
    site "$change" "$tag" >"$WORK/site.yaml"
    start=$(now_ms)
    apply "$WORK/site.yaml"
    applied=$(now_ms)
    for gateway in "${gateways[@]}"; do
      wait_http 200 30 "$gateway/$tag$change/" || die "$gateway did not serve /$tag$change/ within 30 s"
    done
    echo $(( $(now_ms) - start )) >>"$WORK/total"
    echo $(( $(now_ms) - applied )) >>"$WORK/after"
  done
  say "$label, $CHANGES changes: apply started -> served by all 3: $(percentiles "$WORK/total")"
  say "$label, $CHANGES changes: apply returned -> served by all 3: $(percentiles "$WORK/after")"
  say "$label: applies retried after a missed etcd deadline so far: $RETRIES; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

for i in 1 2 3; do
  wait_http 200 60 "http://127.0.0.1:$((BASE_PORT + 50 + i))/readyz" || die "gateway $i not ready"
done
say "propagation bench $(date -u +%FT%TZ), 3 etcd members, 3 gateways, 1 controller"
measure "small config" r

# 10,000 routes: 100 more virtual services of 100 routes each, loaded once, then the same changes.
log "loading $ROUTES routes"
{
  for vs in $(seq 1 $(( ROUTES / 100 ))); do
    printf 'name: bulk%d\ndomains: ["bulk%d.example"]\nroutes:\n' "$vs" "$vs"
    for r in $(seq 1 100); do
      printf -- '- request_matcher: {path_prefix: /b%d/}\n  single_destination: {upstream: {name: backend}}\n' "$r"
    done
    printf -- '---\n'
  done
} >"$WORK/bulk.yaml"
apply "$WORK/bulk.yaml"
for gateway in "${gateways[@]}"; do
  wait_http 200 120 "$gateway/b100/" -H "Host: bulk$(( ROUTES / 100 )).example" || die "$gateway did not load the bulk routes"
done
measure "with $ROUTES more routes" s
log "raw results: $RAW"
