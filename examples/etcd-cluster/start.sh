#!/usr/bin/env bash
# Three etcd members, three gateways and two controllers on loopback, in front of one backend.
# Needs etcd (Debian: apt-get install -y etcd-server etcd-client) and the .NET SDK.
#   examples/etcd-cluster/start.sh        # Ctrl+C stops everything it started
# Ports: etcd clients 23791-23793 (peers 23801-23803); gateways HTTP 18081-18083, admin
# 19001-19003; controllers admin 19011-19012; backend 9090. Data lives in a temp folder.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

command -v etcd >/dev/null || { echo "etcd is not installed (apt-get install -y etcd-server etcd-client)" >&2; exit 1; }
echo "building sluice (Release)..."
dotnet build "$repo/src/Sluice.Cli/Sluice.Cli.csproj" -c Release -nologo -v quiet >/dev/null
sluice=(dotnet "$repo/src/Sluice.Cli/bin/Release/net10.0/Sluice.Cli.dll")

work=$(mktemp -d /tmp/sluice-etcd-cluster.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Every sluice process below reads these instead of flags (each flag has a SLUICE_ variable).
export SLUICE_STORE=etcd
export SLUICE_ETCD_ENDPOINTS=http://127.0.0.1:23791,http://127.0.0.1:23792,http://127.0.0.1:23793

cluster=m1=http://127.0.0.1:23801,m2=http://127.0.0.1:23802,m3=http://127.0.0.1:23803
for i in 1 2 3; do
  etcd --name "m$i" --data-dir "$work/m$i" \
    --listen-client-urls "http://127.0.0.1:2379$i" --advertise-client-urls "http://127.0.0.1:2379$i" \
    --listen-peer-urls "http://127.0.0.1:2380$i" --initial-advertise-peer-urls "http://127.0.0.1:2380$i" \
    --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token sluice-example \
    --logger zap --log-level warn >"$work/etcd-m$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2 3; do
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:2379$i/health" | grep -q '"health":"true"' && break
    sleep 0.1
  done
done
echo "etcd: 3 members healthy"

"${sluice[@]}" sample-backend --bind 127.0.0.1 --port 9090 >"$work/backend.log" 2>&1 &
pids+=($!)

# The config starts in this folder; migrate copies it into etcd under /sluice/.
"${sluice[@]}" migrate --from "file:$here" --to etcd

for i in 1 2; do
  "${sluice[@]}" run --role controller --admin-port "1901$i" >"$work/controller-$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2 3; do
  "${sluice[@]}" run --role gateway --bind 127.0.0.1 --http-port "1808$i" --https-port 0 --http2-port 0 \
    --admin-port "1900$i" --drain-delay 2 >"$work/gateway-$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2 3; do
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:1900$i/readyz")" = 200 ] && break
    sleep 0.1
  done
done

cat <<TEXT
ready: gateways on http://127.0.0.1:18081, :18082, :18083 (logs in $work)
  curl 127.0.0.1:18081/hello
  curl -s 127.0.0.1:19001/readyz/detail          # role, leader, store state
  curl -s 127.0.0.1:19011/readyz/detail          # a controller: is_leader
  sluice get virtualservices --store etcd --etcd-endpoints $SLUICE_ETCD_ENDPOINTS
Ctrl+C stops everything.
TEXT
wait -n "${pids[@]}" || true
