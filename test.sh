#!/usr/bin/env bash
# Installs what the tests need and runs them all: unit tests, then integration tests on real
# loopback sockets. CI runs exactly this (.ci/run). Needs the .NET 10 SDK; NuGet packages are
# restored from the configured feed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null; then
  echo "test.sh: the .NET 10 SDK is required (dotnet is not on PATH)" >&2
  exit 1
fi

# NATS tests start their own nats-server processes (Debian package `nats-server`).
if ! command -v nats-server >/dev/null; then
  if command -v apt-get >/dev/null; then
    apt-cache show nats-server >/dev/null 2>&1 || apt-get update -q >/dev/null
    apt-get install -y -q nats-server >/dev/null || echo "test.sh: could not install nats-server; NATS tests will fail" >&2
  else
    echo "test.sh: nats-server is missing and apt-get is not available; NATS tests will fail" >&2
  fi
fi

# etcd tests start their own three-member clusters (Debian package `etcd-server`, etcd 3.4);
# `etcd-client` brings etcdctl for the example, the propagation bench and the secured-etcd tests.
if ! command -v etcd >/dev/null || ! command -v etcdctl >/dev/null; then
  if command -v apt-get >/dev/null; then
    apt-cache show etcd-server >/dev/null 2>&1 || apt-get update -q >/dev/null
    apt-get install -y -q etcd-server etcd-client >/dev/null || echo "test.sh: could not install etcd-server; etcd tests will fail" >&2
  else
    echo "test.sh: etcd is missing and apt-get is not available; etcd tests will fail" >&2
  fi
fi

# Deployment tests render deploy/kubernetes with `kubectl kustomize` (Debian package
# `kubernetes-client`); without kubectl they fail, so install it here.
if ! command -v kubectl >/dev/null; then
  if command -v apt-get >/dev/null; then
    apt-cache show kubernetes-client >/dev/null 2>&1 || apt-get update -q >/dev/null
    apt-get install -y -q kubernetes-client >/dev/null || echo "test.sh: could not install kubernetes-client; kustomize tests will fail" >&2
  else
    echo "test.sh: kubectl is missing and apt-get is not available; kustomize tests will fail" >&2
  fi
fi

dotnet build Sluice.slnx -c Release -warnaserror -nologo -v quiet
# The benchmark harness is not a test, but it must keep compiling against the library.
dotnet build bench/Sluice.Bench -c Release -warnaserror -nologo -v quiet

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for project in tests/Sluice.Tests tests/Sluice.IntegrationTests; do
  one=$(mktemp)
  dotnet test "$project" -c Release --no-build -nologo 2>&1 | tee "$one" || status=1
  # Each project must run tests: a filter or discovery problem that empties one must not hide
  # behind the other's count.
  if [ "$(grep -oE 'Passed: +[0-9]+' "$one" | awk '{ sum += $2 } END { print sum + 0 }')" -eq 0 ]; then
    echo "test.sh: $project ran no test" >&2
    status=1
  fi
  cat "$one" >> "$log"
  rm -f "$one"
done

# One closing line for whoever reads the log (and CI): totals over both test projects.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{ sum += $2 } END { print sum + 0 }')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{ sum += $2 } END { print sum + 0 }')
if [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
