#!/usr/bin/env bash
# Quickstart: build the CLI, start the demo backend, run the gateway on examples/quickstart.
# Needs only the .NET SDK. Ports come from the usual variables, e.g.
#   SLUICE_HTTP_PORT=9000 SLUICE_ADMIN_PORT=0 ./run.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "building sluice (Release)..."
# Silent when it works (MSBuild prints a summary even at -v quiet); everything when it does not.
if ! build_log=$(dotnet build src/Sluice.Cli/Sluice.Cli.csproj -c Release -nologo -v quiet 2>&1); then
  echo "$build_log" >&2
  exit 1
fi
# Run through `dotnet` rather than the apphost: the apphost needs DOTNET_ROOT when the SDK was
# installed somewhere unusual (e.g. ~/.dotnet by dotnet-install.sh).
sluice=(dotnet src/Sluice.Cli/bin/Release/net10.0/Sluice.Cli.dll)

# The quickstart upstream points at 127.0.0.1:9090 (examples/quickstart/upstreams/sample.yaml).
backend_port=9090
"${sluice[@]}" sample-backend --bind 127.0.0.1 --port "$backend_port" &
backend_pid=$!
gateway_pid=
cleanup() {
  for pid in $gateway_pid $backend_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Wait until the backend accepts connections, so the first request through the gateway works.
for _ in $(seq 1 50); do
  if ! kill -0 "$backend_pid" 2>/dev/null; then
    echo "the sample backend did not start (is port $backend_port taken?)" >&2
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$backend_port") 2>/dev/null; then
    break
  fi
  sleep 0.1
done

port="${SLUICE_HTTP_PORT:-8080}"
cat <<TRY

try, from another terminal:
  curl localhost:$port/hello                                  # route 1: /hello
  curl localhost:$port/api/anything                           # route 2: /api rewritten to /
  curl -X POST -H 'x-canary: true' localhost:$port/orders     # route 3: header match
  curl 'localhost:$port/whatever?x=1'                         # route 4: catch-all
  ${sluice[*]} get virtualservices --config-dir examples/quickstart

TRY

# In the background and waited for, so a SIGTERM to this script (not only Ctrl+C) reaches the
# traps at once; cleanup then stops the gateway gracefully with SIGTERM.
"${sluice[@]}" run --config-dir examples/quickstart &
gateway_pid=$!
wait "$gateway_pid"
