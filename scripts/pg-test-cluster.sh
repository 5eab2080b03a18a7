#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite (make test).
#
#   scripts/pg-test-cluster.sh start        creates and starts a cluster with an empty
#                                           database; prints the cluster's folder
#   scripts/pg-test-cluster.sh url  FOLDER  prints its SQLAlchemy URL (psycopg 3)
#   scripts/pg-test-cluster.sh stop FOLDER  stops it and deletes the folder
#
# FOLDER may instead be given in PG_TEST_CLUSTER. Nothing touches the Debian
# "main" cluster or its service: the cluster lives in a temp folder, listens on
# 127.0.0.1 on a free port, trusts local connections, and runs with fsync off
# (its data is thrown away).
set -euo pipefail

PG_BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"
# Not under root's home: the postgres user must be able to reach the folder.
PG_TEST_TMPDIR="${PG_TEST_TMPDIR:-/tmp}"
DATABASE_NAME="${PG_TEST_DATABASE:-safer_returns_test}"

fail() {
    echo "pg-test-cluster: $*" >&2
    exit 1
}

# initdb and the server refuse to run as root; as root, run them as postgres.
as_cluster_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cluster_folder() {
    local folder="${1:-${PG_TEST_CLUSTER:-}}"
    [ -n "$folder" ] || fail "say which cluster: give its folder (printed by 'start') or set PG_TEST_CLUSTER"
    [ -f "$folder/port" ] || fail "$folder is not a cluster made by this script"
    printf '%s\n' "$folder"
}

start() {
    [ -x "$PG_BINDIR/initdb" ] || fail "no $PG_BINDIR/initdb: install the 'postgresql' package (or set PG_BINDIR)"
    local folder port attempt
    folder="$(mktemp -d "$PG_TEST_TMPDIR/safer-returns-pg.XXXXXX")"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$folder"
    fi
    chmod 700 "$folder"
    as_cluster_owner "$PG_BINDIR/initdb" -D "$folder/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$folder/initdb.log" 2>&1 || { cat "$folder/initdb.log" >&2; rm -rf "$folder"; fail "initdb failed"; }

    # The free port can be taken between choosing and binding it: try a few.
    for attempt in 1 2 3; do
        port="$(free_port)"
        if as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 30 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $folder -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null; then
            echo "$port" >"$folder/port"
            "$PG_BINDIR/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DATABASE_NAME" \
                || { stop "$folder"; fail "createdb failed"; }
            printf '%s\n' "$folder"
            return 0
        fi
    done
    cat "$folder/server.log" >&2 || true
    rm -rf "$folder"
    fail "the server did not start"
}

url() {
    local folder
    folder="$(cluster_folder "${1:-}")"
    printf 'postgresql+psycopg://postgres@127.0.0.1:%s/%s\n' "$(cat "$folder/port")" "$DATABASE_NAME"
}

stop() {
    local folder
    folder="$(cluster_folder "${1:-}")"
    # Immediate mode: the data is thrown away, so there is nothing to flush.
    as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$folder/data" -w -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$folder"
}

case "${1:-}" in
    start) start ;;
    url) url "${2:-}" ;;
    stop) stop "${2:-}" ;;
    *)
        echo "usage: $0 start | url FOLDER | stop FOLDER" >&2
        exit 2
        ;;
esac
