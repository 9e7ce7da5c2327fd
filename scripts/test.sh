#!/usr/bin/env bash
# Run all tests: the whole suite on SQLite, then again on a real PostgreSQL started here.
# Arguments go to pytest (e.g. scripts/test.sh -x tests/risks).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=python3
[ -x .venv/bin/python ] && PY=.venv/bin/python

# Each pass deselects (never skips) what belongs to the other, so CI skips nothing.
echo "== Tests on SQLite"
"$PY" -m pytest -p no:cacheprovider -m "not postgres_only" "$@"

echo "== Tests on PostgreSQL"
pgdir=$(mktemp -d /tmp/riskapp-pg.XXXXXX)
chmod 755 "$pgdir"
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
url=$(scripts/postgres.sh start "$pgdir" "${RISKAPP_TEST_PG_PORT:-54329}" | tail -n 1)
# Browser tests (tests/browser, marked `browser`) drive their own SQLite server: once is enough.
RISKAPP_TEST_DATABASE_URL=$url "$PY" -m pytest -p no:cacheprovider -m "not browser and not sqlite_only" "$@"
