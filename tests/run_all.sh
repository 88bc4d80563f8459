#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL (started when installed but not running).
# With CI=true a PostgreSQL that cannot be reached is a failure, not a skip.
# Each pass runs on every core (pytest-xdist, LMS_TEST_WORKERS=auto; 1 runs it in one process):
# every worker has its own database (tests/conftest.py names it by process id).
set -u
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${LMS_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"
status=0
WORKERS="${LMS_TEST_WORKERS:-auto}"
if [ "$WORKERS" = "1" ]; then PARALLEL=(); else PARALLEL=(-n "$WORKERS"); fi

echo "== pass 1/2: SQLite"
LMS_TEST_DATABASE_URL=sqlite "$BIN/pytest" "${PARALLEL[@]}" "$@" || status=1

pg_up() { "$BIN/python" - "$PG_URL" <<'PY'
import sys, psycopg
url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://")
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
}

echo "== pass 2/2: PostgreSQL"
if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql)" ]; then
    echo "PostgreSQL is not running: starting the local cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
fi
if pg_up; then
  LMS_TEST_DATABASE_URL="$PG_URL" "$BIN/pytest" "${PARALLEL[@]}" -m "not nodb" "$@" || status=1
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $PG_URL and CI=true: failing"
  status=1
else
  echo "PostgreSQL is not installed or not reachable at $PG_URL: skipping the PostgreSQL pass"
fi
exit $status
