#!/usr/bin/env bash
# Import benchmark: times `overdue import invoices` on a synthetic file (default 1,000,000 rows,
# 10 per debtor) with the release build, into a fresh SQLite database, side by side with the peer a
# team would write instead (Python's csv + sqlite3 executemany on the same file, same run). Prints
# the figures the README reports.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
swift build -c release --product overdue >/dev/null
python3 scripts/gen-invoices.py "$rows" "$work/invoices.csv" 10
bin="$(swift build -c release --show-bin-path)/overdue"
start=$(date +%s.%N)
"$bin" import invoices "$work/invoices.csv" --db "sqlite://$work/bench.sqlite" >/dev/null 2>&1
end=$(date +%s.%N)
secs=$(python3 -c "print(f'{$end - $start:.1f}')")
echo "imported $rows invoice rows in ${secs} s ($(python3 -c "print(f'{$rows / ($end - $start):,.0f}')") rows/s) on $(nproc) cores"
peer=$(python3 scripts/bench-import-peer.py "$work/invoices.csv" "$work/peer.sqlite")
echo "peer (Python csv + sqlite3 executemany, same file): ${peer} s; Overdue takes $(python3 -c "print(f'{$secs / $peer:.2f}')")× the peer's time"
# Re-import: the same rows update in place, never duplicate.
start=$(date +%s.%N)
"$bin" import invoices "$work/invoices.csv" --db "sqlite://$work/bench.sqlite" >/dev/null 2>&1
end=$(date +%s.%N)
echo "re-imported the same file (upsert) in $(python3 -c "print(f'{$end - $start:.1f}')") s"
