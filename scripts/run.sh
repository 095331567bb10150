#!/usr/bin/env bash
# `make run`: scripts/run.sh BIN DATA PORT. On the first start (a new data dir)
# loads the demo business and creates an admin token, prints the URL and the
# token, then replaces itself with `tripod serve`.
set -euo pipefail

bin=${1:?usage: scripts/run.sh BIN DATA PORT}
data=${2:-data}
port=${3:-8080}

mkdir -p "$data"
token=""
if [ ! -e "$data/tripod.db" ] && [ ! -e "$data/secret.key" ]; then
  "$bin" demo --data "$data"
  token=$("$bin" token create --name "make run" --data "$data")
fi

echo "Tripod:        http://127.0.0.1:$port/   (agent booking)"
echo "Admin console: http://127.0.0.1:$port/admin"
if [ -n "$token" ]; then
  echo "Admin token:   $token   (shown once; more with: $bin token create --name NAME --data $data)"
else
  echo "Admin token:   created on the first start; make another with: $bin token create --name NAME --data $data"
fi
exec "$bin" serve --port "$port" --data "$data"
