#!/usr/bin/env bash
# Quickstart: build the CLI, start the demo backend, run the gateway on examples/quickstart.
# Needs only the .NET SDK. Ports come from the usual variables, e.g.
#   SLUICE_HTTP_PORT=9000 SLUICE_ADMIN_PORT=0 SLUICE_SAMPLE_PORT=9191 ./run.sh
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
# SLUICE_SAMPLE_PORT moves the sample backend; the gateway then serves a copy of the quickstart
# whose upstream points at that port.
backend_port="${SLUICE_SAMPLE_PORT:-9090}"
config_dir=examples/quickstart
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Checked first: a port someone else holds would otherwise look like our backend, and the
# gateway would proxy to whatever it is.
if port_taken "$backend_port"; then
  echo "the sample backend did not start (is port $backend_port taken? set SLUICE_SAMPLE_PORT to another port)" >&2
  exit 1
fi
config_copy=
if [ "$backend_port" != 9090 ]; then
  config_copy=$(mktemp -d "${TMPDIR:-/tmp}/sluice-quickstart.XXXXXX")
  cp -R examples/quickstart/. "$config_copy"
  sed -i.bak "s/port: 9090/port: $backend_port/" "$config_copy/upstreams/sample.yaml" && rm -f "$config_copy/upstreams/sample.yaml.bak"
  config_dir=$config_copy
fi
"${sluice[@]}" sample-backend --bind 127.0.0.1 --port "$backend_port" &
backend_pid=$!
gateway_pid=
cleanup() {
  for pid in $gateway_pid $backend_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$config_copy" ]; then rm -rf "$config_copy"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Wait until the backend accepts connections, so the first request through the gateway works.
for _ in $(seq 1 50); do
  if ! kill -0 "$backend_pid" 2>/dev/null; then
    echo "the sample backend did not start (is port $backend_port taken? set SLUICE_SAMPLE_PORT to another port)" >&2
    exit 1
  fi
  if port_taken "$backend_port"; then
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
  ${sluice[*]} get virtualservices --config-dir $config_dir

TRY

# In the background and waited for, so a SIGTERM to this script (not only Ctrl+C) reaches the
# traps at once; cleanup then stops the gateway gracefully with SIGTERM.
"${sluice[@]}" run --config-dir "$config_dir" &
gateway_pid=$!
wait "$gateway_pid"
