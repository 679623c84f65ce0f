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
# Two throwaway clusters: a shared one (OVERDUE_TEST_POSTGRES_URL) and one the restart test may stop
# and start (OVERDUE_TEST_POSTGRES_RESTART_URL, restarted by running OVERDUE_TEST_POSTGRES_RESTART).
pg_dirs=()
PG_AS=()
stop_postgres() {
    for d in "${pg_dirs[@]}"; do
        "${PG_AS[@]}" "'$PG_BIN/pg_ctl' -D '$d/data' -m immediate stop >/dev/null 2>&1" || true
        rm -rf "$d"
    done
}
# start_cluster NAME: starts a cluster and sets cluster_url and cluster_dir.
start_cluster() {
    local dir port
    dir=$(mktemp -d "/tmp/overdue-pg-$1.XXXXXX")
    chmod 755 "$dir"
    pg_dirs+=("$dir")
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    "${PG_AS[@]}" "'$PG_BIN/initdb' -D '$dir/data' -U postgres -A trust --no-sync --locale=C -E UTF8 >'$dir/initdb.log' 2>&1"
    local opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    "${PG_AS[@]}" "'$PG_BIN/pg_ctl' -D '$dir/data' -o \"$opts\" -l '$dir/pg.log' -w start >/dev/null"
    # A restart is a fast shutdown (connections are cut, as in a failover) and a start.
    cat >"$dir/restart.sh" <<EOS
#!/bin/bash
# Close what the caller left open: the restarted server would hold it for ever (a caller waiting for
# its pipes or its exit socket to close would never return).
for fd in \$(ls /proc/\$\$/fd); do [ "\$fd" -gt 2 ] && eval "exec \$fd>&-" 2>/dev/null; done
exec ${PG_AS[*]} "'$PG_BIN/pg_ctl' -D '$dir/data' -m fast -o \"$opts\" -l '$dir/pg.log' -w restart >/dev/null"
EOS
    chmod 755 "$dir/restart.sh"
    cluster_url="postgres://postgres@127.0.0.1:$port/postgres"
    cluster_dir=$dir
}
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
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        PG_AS=(su postgres -s /bin/sh -c)
    else
        PG_AS=(sh -c)
    fi
    trap stop_postgres EXIT
    start_cluster shared
    export OVERDUE_TEST_POSTGRES_URL=$cluster_url
    echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on ${cluster_url#*@} (throwaway cluster in $cluster_dir) =="
    start_cluster restart
    export OVERDUE_TEST_POSTGRES_RESTART_URL=$cluster_url
    export OVERDUE_TEST_POSTGRES_RESTART="$cluster_dir/restart.sh"
    echo "== PostgreSQL for the restart test on ${cluster_url#*@} (restart: $OVERDUE_TEST_POSTGRES_RESTART) =="
}
start_postgres

echo "== linting deployment files =="
python3 -c "import yaml" 2>/dev/null || python3 -m pip install -q pyyaml
python3 scripts/lint-deploy.py

echo "== building (debug) =="
swift build
echo "== testing =="
OVERDUE_BIN="$(swift build --show-bin-path)/overdue" swift test "$@"
