#!/usr/bin/env bash
# The one test command: installs what the tests need, builds the CLI they drive, runs every test.
# Safe to run repeatedly, on a fresh machine (as root, as CI does) or a developer's.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
if ! need python3 && need apt-get; then
    # The import benchmark and test fixtures' helpers use Python; the suite itself needs only Swift.
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null
fi
need swift || { echo "error: swift is not on PATH (Swift 6.1 or newer is required)" >&2; exit 1; }

echo "== building (debug) =="
swift build
echo "== testing =="
OVERDUE_BIN="$(swift build --show-bin-path)/overdue" swift test "$@"
