#!/usr/bin/env bash
# Dashboard benchmark: each page's server time with 10,000 cases in the store (release build).
# Prints a Markdown table (median, p95, max per page) — the figures the README reports.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product overdue >/dev/null
python3 scripts/bench-dashboard.py "$(swift build -c release --show-bin-path)/overdue" "${1:-10000}" "${2:-20}"
