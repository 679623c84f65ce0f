#!/usr/bin/env bash
# Dispatch benchmark, side by side with the peers a team would build instead, on the same data in
# the same run (see scripts/bench-dispatch.py for what each row does):
#   SQLite, 1 worker, 1,000 / 5,000 / 50,000 debtors   vs  a plain Python sqlite3 loop
#   PostgreSQL, 2 workers, 5,000 debtors               vs  pgqueuer 1.6 + asyncpg, 2 workers
#   planning rate of `overdue run` over one virtual day for 20,000 debtors
#   reply latency: signed inbound texts at a steady 200/s to `overdue serve` → answer queued (p50/p99)
# Release build; a throwaway PostgreSQL on loopback; the peers are installed from PyPI into a venv.
#   scripts/bench-dispatch.sh [SQLITE_DEBTORS] [POSTGRES_DEBTORS]   e.g. scripts/bench-dispatch.sh 1000,5000,50000 5000
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/setup.sh
. scripts/lib/postgres.sh
need python3 || apt_install python3
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
find_postgres || { echo "error: PostgreSQL is needed (Debian's postgresql package)" >&2; exit 1; }
venv="${OVERDUE_BENCH_VENV:-/tmp/overdue-bench-venv}"
if ! "$venv/bin/python" -c 'import pgqueuer, asyncpg, twilio' 2>/dev/null; then
    echo "== installing the peers (pgqueuer 1.6, asyncpg) and Twilio's signer into $venv ==" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "pgqueuer>=1.6,<1.7" asyncpg twilio
fi
start_cluster bench
echo "== building (release) ==" >&2
swift build -c release --product overdue >&2
"$venv/bin/python" scripts/bench-dispatch.py --bin "$(swift build -c release --show-bin-path)/overdue" \
    --postgres "$cluster_url" --psql "$PG_BIN/psql" --sqlite-debtors "${1:-1000,5000,50000}" --postgres-debtors "${2:-5000}"
echo
"$venv/bin/python" scripts/bench-replies.py --bin "$(swift build -c release --show-bin-path)/overdue" --rate "${3:-200}" --seconds 10
