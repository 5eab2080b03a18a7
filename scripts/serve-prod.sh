#!/usr/bin/env bash
# The production way of serving, on one machine, for trying it out, the browser tests' and
# bench/load's runs (make serve-prod):
#   gunicorn with several worker processes (stateless: everything they share is in the
#   database and the upload storage) in front of PostgreSQL 15 — here a throwaway cluster
#   on loopback (scripts/pg-test-cluster.sh), migrated and loaded with the demo partnership.
#
# Settings (environment):
#   HOST (127.0.0.1), PORT (8000), WORKERS (4), TIMEOUT (60 s a request at most)
#   SERVE_PROD_DEMO=0   start with an empty, migrated database instead of the demo
#   DATABASE_URL        use this PostgreSQL database instead of a throwaway cluster
#   FLASK_*             any setting (FLASK_UPLOAD_STORAGE=s3, FLASK_UPLOAD_S3_BUCKET=...);
#                       FLASK_SECRET_KEY must be the same on every machine
# Ctrl-C (or SIGTERM) stops gunicorn, then the throwaway cluster and its folder.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
WORKERS="${WORKERS:-4}"
TIMEOUT="${TIMEOUT:-60}"
PYTHON="${PYTHON:-.venv/bin/python}"

cluster=""
uploads=""
gunicorn_pid=""
finish() {
    trap - EXIT INT TERM
    if [ -n "$gunicorn_pid" ]; then
        kill -TERM "$gunicorn_pid" 2>/dev/null || true
        wait "$gunicorn_pid" 2>/dev/null || true
    fi
    [ -z "$cluster" ] || scripts/pg-test-cluster.sh stop "$cluster"
    [ -z "$uploads" ] || rm -rf "$uploads"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${DATABASE_URL:-}" ]; then
    cluster="$(PG_TEST_DATABASE=safer_returns scripts/pg-test-cluster.sh start)"
    DATABASE_URL="$(PG_TEST_DATABASE=safer_returns scripts/pg-test-cluster.sh url "$cluster")"
    echo "serve-prod: throwaway PostgreSQL in $cluster"
fi
export FLASK_SQLALCHEMY_DATABASE_URI="$DATABASE_URL"
storage="${FLASK_UPLOAD_STORAGE:-local}"
if [ -z "${FLASK_UPLOAD_FOLDER:-}" ] && [ "${storage//\"/}" = local ]; then
    uploads="$(mktemp -d /tmp/safer-returns-uploads.XXXXXX)"
    export FLASK_UPLOAD_FOLDER="$uploads"
fi
# One key for every worker (and, in production, every machine).
export FLASK_SECRET_KEY="${FLASK_SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}"

"$PYTHON" -m flask --app wsgi db upgrade
if [ "${SERVE_PROD_DEMO:-1}" != 0 ]; then
    "$PYTHON" -m flask --app wsgi demo load
fi

echo "serve-prod: gunicorn, $WORKERS workers, on http://$HOST:$PORT"
"$PYTHON" -m gunicorn --workers "$WORKERS" --bind "$HOST:$PORT" --timeout "$TIMEOUT" \
    --access-logfile "${ACCESS_LOG:--}" --error-logfile - --forwarded-allow-ips 127.0.0.1 --no-control-socket 'wsgi:app' &
gunicorn_pid=$!
wait "$gunicorn_pid"
