# Throwaway PostgreSQL clusters on loopback for the tests and benchmarks (sourced, not run).
# Needs apt_install from the caller. Clusters are stopped and deleted when the calling script exits.
PG_AS=()
pg_dirs=()
stop_postgres() {
    local status=$?
    for d in "${pg_dirs[@]}"; do
        # A failed run shows what the server refused (connections, timeouts) next to the test's error.
        if [ "$status" != 0 ] && [ -f "$d/pg.log" ]; then
            grep -E "FATAL|PANIC|deadlock" "$d/pg.log" | tail -n 20 | sed "s|^|pg($(basename "$d")): |" >&2 || true
        fi
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
    local opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400"
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
# find_postgres: sets PG_BIN (installing Debian's PostgreSQL when root and it is missing) and PG_AS
# (how to run its programs: as the postgres user when root). Returns 1 when it cannot be had.
find_postgres() {
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
        apt_install postgresql || true
        PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    fi
    [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || return 1
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        PG_AS=(su postgres -s /bin/sh -c)
    else
        PG_AS=(sh -c)
    fi
    trap stop_postgres EXIT
}
