#!/usr/bin/env bash
# Reply-understanding speed: `overdue nlu classify` (release build, one process, one core) over the
# dev set repeated COPIES times (default 200 → 52,000 replies). Prints replies per second.
set -euo pipefail
cd "$(dirname "$0")/.."
copies="${1:-200}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
swift build -c release --product overdue >&2
bin="$(swift build -c release --show-bin-path)/overdue"
python3 - "$copies" "$work/in.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open("Tests/OverdueLanguageTests/Fixtures/replies/replies.jsonl", encoding="utf-8")]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for k in range(int(sys.argv[1])):
        for r in rows:
            f.write(json.dumps({"id": f"{r['id']}-{k}", "channel": r["channel"], "text": r["text"]}) + "\n")
PY
n=$(wc -l < "$work/in.jsonl")
start=$(date +%s.%N)
"$bin" nlu classify --reference-date 2026-03-10 < "$work/in.jsonl" > "$work/out.jsonl"
end=$(date +%s.%N)
python3 -c "s=$end-$start; print(f'classified $n replies in {s:.2f} s: {$n/s:,.0f} replies/s on one core (JSON in and out included)')"
