#!/usr/bin/env bash
# `make run`: scripts/run.sh BIN DATA PORT. Starts a local Radicale (the demo's
# CalDAV server, DATA/radicale, 127.0.0.1:$RADICALE_PORT, default 5232) and an
# SMTP sink (mails land in DATA/mail as .eml, 127.0.0.1:$SMTP_PORT, default
# 2525). On the first start (a new data dir) loads the demo business with its
# calendars on that Radicale and creates an admin token. Then runs
# `tripod serve`; stopping it (Ctrl-C) stops Radicale and the sink too.
set -euo pipefail

bin=${1:?usage: scripts/run.sh BIN DATA PORT}
data=${2:-data}
port=${3:-8080}
here=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3

mkdir -p "$data"
dav_dir="$data/radicale"
mkdir -p "$dav_dir"
# The demo's calendar URLs name the port, so a data dir keeps the one it started with.
if [ -s "$dav_dir/port" ]; then
  dav_port=$(cat "$dav_dir/port")
else
  dav_port=${RADICALE_PORT:-5232}
fi
smtp_port=${SMTP_PORT:-2525}

port_free() {
  "$py" -c 'import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError: sys.exit(1)' "$1"
}

if ! port_free "$dav_port"; then
  echo "make run: port $dav_port (the demo's Radicale) is in use on 127.0.0.1." >&2
  echo "  Stop whatever holds it, or start a new data dir on another port:" >&2
  echo "  RADICALE_PORT=5233 DATA=data2 make run" >&2
  exit 1
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts "$@" in the background and waits for its "ready URL" line.
start_helper() {
  local log=$1 name=$2
  shift 2
  "$@" >"$log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 200); do
    if grep -q '^ready ' "$log" 2>/dev/null; then return 0; fi
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "make run: $name did not start; see $log" >&2
  exit 1
}

pw_file="$dav_dir/password"
if [ ! -s "$pw_file" ]; then
  (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$pw_file")
fi
echo "$dav_port" >"$dav_dir/port"
start_helper "$dav_dir/server.log" Radicale \
  "$py" "$here/tests/servers/radicale_server.py" --dir "$dav_dir" --port "$dav_port" \
  --user "tripod:@$pw_file"

smtp_url=""
if port_free "$smtp_port"; then
  mkdir -p "$data/mail"
  start_helper "$data/mail.log" "the SMTP sink" \
    "$py" "$here/tests/servers/smtp_sink.py" --dir "$data/mail" --port "$smtp_port"
  smtp_url="smtp://127.0.0.1:$smtp_port"
else
  echo "make run: port $smtp_port is in use: invitations are queued, not sent (SMTP_PORT=… picks another)" >&2
fi

token=""
if [ ! -e "$data/tripod.db" ] && [ ! -e "$data/secret.key" ]; then
  TRIPOD_DEMO_CALDAV_URL="http://127.0.0.1:$dav_port/tripod/" TRIPOD_DEMO_CALDAV_USER=tripod \
    TRIPOD_DEMO_CALDAV_PASSWORD="$(cat "$pw_file")" "$bin" demo --data "$data"
  token=$("$bin" token create --name "make run" --data "$data")
fi

echo "Tripod:        http://127.0.0.1:$port/   (agent booking)"
echo "Admin console: http://127.0.0.1:$port/admin"
if [ -n "$token" ]; then
  echo "Admin token:   $token   (shown once; more with: $bin token create --name NAME --data $data)"
else
  echo "Admin token:   created on the first start; make another with: $bin token create --name NAME --data $data"
fi
echo "Calendars:     Radicale at http://127.0.0.1:$dav_port/tripod/ (user tripod, password in $pw_file)"
if [ -n "$smtp_url" ]; then
  echo "Mail:          invitations are written to $data/mail/*.eml"
fi
export TRIPOD_SMTP_URL=${TRIPOD_SMTP_URL:-$smtp_url}
export TRIPOD_MAIL_FROM=${TRIPOD_MAIL_FROM:-bookings@demo.tripod.test}
"$bin" serve --port "$port" --data "$data" &
pids+=("$!")
wait "${pids[-1]}"
