#!/usr/bin/env bash
# Run every test: the whole suite on SQLite, then again on a PostgreSQL started here, each in parallel.
#
#   scripts/test.sh                  # set up what is missing, then run everything
#   scripts/test.sh -x tests/risks   # arguments go to pytest (both passes)
#   scripts/test.sh --install-only   # set up only (system packages, .venv with the test extras)
#
# It sets itself up on a fresh machine: the system packages it needs (PostgreSQL, Chromium,
# poppler, a font) are installed with apt-get when it runs as root; otherwise it prints the one
# command to run and stops. The test extras go into .venv (made here if scripts/demo.sh has
# not made it already). RISKAPP_TEST_WORKERS sets the parallel workers of the SQLite pass
# and the PostgreSQL pass (default: one per CPU core; 1 runs them in this process).
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1

# --- System packages -------------------------------------------------------------------------
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x "${RISKAPP_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
# Chromium needs at least one font to lay pages out; DejaVu is Debian's usual one.
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "The tests need system packages that are not installed: ${missing[*]}" >&2
    echo "Install them, then run scripts/test.sh again:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 2
  fi
fi

# --- Python packages: riskapp and its test extras in .venv ----------------------------------
[ -x .venv/bin/python ] || python3 -m venv .venv
# Reinstall only when setup.cfg changed since the last install (or something is missing).
stamp=.venv/.riskapp-test-extras
wanted=$(cat setup.cfg requirements.lock | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ] \
   || ! .venv/bin/python -c 'import riskapp, pytest, xdist, playwright, aiosmtpd' 2>/dev/null; then
  echo "== Installing riskapp and its test extras into .venv"
  # The locked versions first (requirements.lock, checked against their hashes); then riskapp
  # and anything setup.cfg gained since the lock was made.
  .venv/bin/pip install -q --require-hashes -r requirements.lock
  .venv/bin/pip install -q -e '.[test]'
  echo "$wanted" > "$stamp"
fi
PY=.venv/bin/python

if [ "${1:-}" = "--install-only" ]; then
  echo "Set up: system packages and .venv are ready."
  exit 0
fi

# --- The tests --------------------------------------------------------------------------------
workers=${RISKAPP_TEST_WORKERS:-$(nproc)}
parallel=()
# --dist loadfile keeps each test file on one worker, so a file's tests run in their order.
# --no-loadscope-reorder hands the files out in the order collected, which puts the long live
# test first (tests/conftest.py), not last (xdist's default order: files with most tests first).
[ "$workers" -gt 1 ] && parallel=(-n "$workers" --dist loadfile --no-loadscope-reorder)

# Each pass deselects (never skips) what belongs to the other, so CI skips nothing.
echo "== Tests on SQLite"
"$PY" -m pytest -p no:cacheprovider "${parallel[@]}" -m "not postgres_only" "$@"

echo "== Tests on PostgreSQL"
pgdir=$(mktemp -d /tmp/riskapp-pg.XXXXXX)
chmod 755 "$pgdir"
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
url=$(scripts/postgres.sh start "$pgdir" "${RISKAPP_TEST_PG_PORT:-54329}" | tail -n 1)
# Browser tests (tests/browser, marked `browser`) drive their own SQLite server: once is enough.
# Each worker makes a database of its own on this server (tests/conftest.py).
RISKAPP_TEST_DATABASE_URL=$url "$PY" -m pytest -p no:cacheprovider "${parallel[@]}" \
  -m "not browser and not sqlite_only" "$@"
