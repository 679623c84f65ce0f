#!/usr/bin/env bash
# Voice-turn overhead benchmark (webhook in → TwiML out, release build, SQLite):
#   scripts/bench-voice.sh [TURNS] [DEBTORS]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/setup.sh
need python3 || apt_install python3
python3 -c "import twilio" 2>/dev/null || python3 -m pip install -q --root-user-action=ignore twilio
echo "== building (release) ==" >&2
swift build -c release --product overdue >&2
python3 scripts/bench-voice.py --bin "$(swift build -c release --show-bin-path)/overdue" --turns "${1:-500}" --debtors "${2:-50}"
