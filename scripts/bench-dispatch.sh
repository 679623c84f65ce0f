#!/usr/bin/env bash
# Dispatch benchmark: contact attempts dispatched per second with 1, 2 and 4 `overdue worker`
# processes on SQLite and on PostgreSQL (a throwaway cluster on loopback), and claim-to-start latency
# (how long after a job falls due a worker starts it) p50/p99. Release build. Prints the README table.
#   scripts/bench-dispatch.sh [DEBTORS] [WORKER_COUNTS]     e.g. scripts/bench-dispatch.sh 5000 1,2,4
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/setup.sh
. scripts/lib/postgres.sh
need python3 || apt_install python3
find_postgres || { echo "error: PostgreSQL is needed (Debian's postgresql package)" >&2; exit 1; }
start_cluster bench
echo "== building (release) ==" >&2
swift build -c release --product overdue >&2
python3 scripts/bench-dispatch.py --bin "$(swift build -c release --show-bin-path)/overdue" \
    --postgres "$cluster_url" --psql "$PG_BIN/psql" --debtors "${1:-5000}" --workers "${2:-1,2,4}"
