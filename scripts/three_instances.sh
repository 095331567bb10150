#!/usr/bin/env bash
# Runs three `tripod serve` instances on one PostgreSQL database, on ports
# FIRST, FIRST+1 and FIRST+2, sharing one data dir (for its secret.key, which
# seals calendar passwords). Put any load balancer in front; Ctrl-C stops all.
#   scripts/three_instances.sh postgres://user@host:5432/tripod [FIRST_PORT] [BIN] [DATA_DIR]
set -euo pipefail

url="${1:-${TRIPOD_DB:-}}"
first="${2:-8081}"
bin="${3:-build/tripod}"
data="${4:-data}"
if [[ "$url" != postgres://* && "$url" != postgresql://* ]]; then
  echo "usage: $0 postgres://user@host:port/db [first port] [tripod binary] [data dir]" >&2
  exit 2
fi

"$bin" migrate --db "$url" --data "$data"
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait || true; }
trap stop EXIT INT TERM
for i in 0 1 2; do
  port=$((first + i))
  "$bin" serve --db "$url" --data "$data" --port "$port" &
  pids+=("$!")
  echo "instance $((i + 1)): http://127.0.0.1:$port (pid $!)"
done
wait -n "${pids[@]}"
echo "an instance exited; stopping the others" >&2
