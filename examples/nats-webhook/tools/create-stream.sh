#!/usr/bin/env bash
# Creates the WEBHOOKS JetStream stream this example publishes to, over the NATS protocol itself
# (the `nats` CLI has no Debian package): a JetStream API request with a reply inbox.
#   examples/nats-webhook/tools/create-stream.sh [HOST] [PORT]
set -euo pipefail
host="${1:-127.0.0.1}" port="${2:-4222}"
config='{"name":"WEBHOOKS","subjects":["webhooks.>"],"storage":"file"}'
exec 3<>"/dev/tcp/$host/$port"
printf 'CONNECT {"verbose":false,"pedantic":false}\r\nSUB _INBOX.create-stream 1\r\nPUB $JS.API.STREAM.CREATE.WEBHOOKS _INBOX.create-stream %d\r\n%s\r\n' "${#config}" "$config" >&3
# The answer is the MSG on the inbox: print its JSON and fail if it carries an error.
while IFS= read -r -t 5 line <&3; do
  case "$line" in
    MSG*) IFS= read -r -t 5 answer <&3; answer="${answer%$'\r'}"; echo "$answer"
          case "$answer" in *'"error"'*) exit 1 ;; esac; exit 0 ;;
  esac
done
echo "no answer from the JetStream API on $host:$port (is nats-server running with -js?)" >&2
exit 1
