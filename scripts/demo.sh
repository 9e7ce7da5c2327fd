#!/usr/bin/env bash
# Install riskapp, create its SQLite database, load the demo BAF, then run the demo as it runs in
# production: the web app under gunicorn on http://127.0.0.1:5000 and the reminders scheduler.
# Ctrl-C stops them all; if one of them stops, the others are stopped too.
# RISKAPP_DEMO_PORT serves on another port than 5000.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 FLASK_APP=riskapp
[ -x .venv/bin/python ] || python3 -m venv .venv
# The locked versions (requirements.lock, checked against their hashes), then riskapp itself.
.venv/bin/pip install -q --require-hashes -r requirements.lock
.venv/bin/pip install -q -e .
.venv/bin/flask db upgrade
.venv/bin/flask demo load

# The demo's processes, one "name: command" per line. A new kind of process (a worker, say)
# is one more line here; the rest of this script starts, watches and stops them all.
port=${RISKAPP_DEMO_PORT:-5000}
processes=(
  "web: .venv/bin/gunicorn --workers 2 --bind 127.0.0.1:$port --access-logfile - wsgi:app"
  "reminders: .venv/bin/flask reminders scheduler"
  "worker: .venv/bin/flask worker"
)

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo "Stopping the demo..." >&2
  # Started in the background by a script, the processes ignore Ctrl-C's SIGINT: send SIGTERM,
  # which each of them takes as "finish what you are doing and stop".
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop_all INT TERM EXIT

for entry in "${processes[@]}"; do
  name=${entry%%:*} command=${entry#*: }
  echo "Starting $name: $command" >&2
  $command &
  pids+=($!)
done
echo "The demo is on http://127.0.0.1:$port (logins: see README.md). Ctrl-C stops it." >&2
# Return as soon as any one process stops; the EXIT trap then stops the others.
wait -n || true
