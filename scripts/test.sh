#!/usr/bin/env bash
# The one test command: installs what the tests need, starts a throwaway PostgreSQL on loopback,
# builds the CLI the end-to-end tests drive, and runs every test. Safe to run repeatedly, on a
# fresh machine (as root, as CI does) or on a developer's.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
apt_updated=0
apt_install() {
    need apt-get || return 1
    [ "$(id -u)" = 0 ] || return 1
    if [ $apt_updated = 0 ]; then apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

need swift || { echo "error: swift is not on PATH (Swift 6.1 or newer is required)" >&2; exit 1; }
need python3 || apt_install python3 || true

# PostgreSQL: the store conformance suite and the cross-engine tests run on it; CI never skips it.
pg_dir=""
start_postgres() {
    if [ -n "${OVERDUE_TEST_POSTGRES_URL:-}" ]; then return 0; fi
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
        apt_install postgresql || true
        PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    fi
    if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
        echo "warning: PostgreSQL is not installed; PostgreSQL tests will not run (they are required in CI)" >&2
        return 0
    fi
    pg_dir=$(mktemp -d /tmp/overdue-pg.XXXXXX)
    chmod 755 "$pg_dir"
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    PG_AS=()
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        chown postgres "$pg_dir"
        PG_AS=(su postgres -s /bin/sh -c)
    else
        PG_AS=(sh -c)
    fi
    "${PG_AS[@]}" "'$PG_BIN/initdb' -D '$pg_dir/data' -U postgres -A trust --no-sync --locale=C -E UTF8 >'$pg_dir/initdb.log' 2>&1"
    "${PG_AS[@]}" "'$PG_BIN/pg_ctl' -D '$pg_dir/data' -o \"-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -l '$pg_dir/pg.log' -w start >/dev/null"
    export OVERDUE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throwaway cluster in $pg_dir) =="
    stop_postgres() {
        "${PG_AS[@]}" "'$PG_BIN/pg_ctl' -D '$pg_dir/data' -m immediate stop >/dev/null 2>&1" || true
        rm -rf "$pg_dir"
    }
    trap stop_postgres EXIT
}
start_postgres

echo "== linting deployment files =="
python3 -c "import yaml" 2>/dev/null || python3 -m pip install -q pyyaml
python3 scripts/lint-deploy.py

echo "== building (debug) =="
swift build
echo "== testing =="
OVERDUE_BIN="$(swift build --show-bin-path)/overdue" swift test "$@"
