#!/usr/bin/env bash
# Install riskapp, create its SQLite database, load the demo BAF and serve on http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e .
export FLASK_APP=riskapp
.venv/bin/flask db upgrade
.venv/bin/flask demo load
exec .venv/bin/flask run --host 127.0.0.1 --port 5000
