#!/usr/bin/env bash
# Reply-understanding speed, one process on one core, over the dev set repeated COPIES times
# (default 200 → 52,000 replies):
#   scripts/bench-nlu.sh [COPIES]            `overdue nlu classify` from a release build (JSON in and out)
#   scripts/bench-nlu.sh --reader [COPIES]   the reader alone: OverdueCore + OverdueLanguage compiled by
#                                            swiftc with -O and whole-module optimisation (what release
#                                            does), without building the server's dependencies
set -euo pipefail
cd "$(dirname "$0")/.."
mode=cli
if [ "${1:-}" = "--reader" ]; then mode=reader; shift; fi
copies="${1:-200}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$copies" "$work/in.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open("Tests/OverdueLanguageTests/Fixtures/replies/replies.jsonl", encoding="utf-8")]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for k in range(int(sys.argv[1])):
        for r in rows:
            f.write(json.dumps({"id": f"{r['id']}-{k}", "channel": r["channel"], "text": r["text"]}) + "\n")
PY
n=$(wc -l < "$work/in.jsonl")
if [ "$mode" = reader ]; then
    echo "== compiling OverdueCore and OverdueLanguage with -O -wmo ==" >&2
    mkdir -p "$work/core"
    root="$PWD"
    cp scripts/bench/nlu-main.swift "$work/main.swift"
    # swiftc leaves module files in the folder it runs in: the scratch folder, not the checkout.
    (cd "$work" && swiftc -O -wmo -parse-as-library -swift-version 6 -enable-upcoming-feature ExistentialAny -module-name OverdueCore -emit-module \
        -emit-module-path "$work/core/OverdueCore.swiftmodule" -emit-library -static -o "$work/core/libOverdueCore.a" $(find "$root/Sources/OverdueCore" -name '*.swift'))
    (cd "$work" && swiftc -O -wmo -swift-version 6 -enable-upcoming-feature ExistentialAny -module-name Reader -I "$work/core" -L "$work/core" -lOverdueCore \
        -o "$work/reader" $(find "$root/Sources/OverdueLanguage" -name '*.swift') "$work/main.swift")
    taskset -c 0 "$work/reader" "$work/in.jsonl" 2026-03-10
    exit 0
fi
swift build -c release --product overdue >&2
bin="$(swift build -c release --show-bin-path)/overdue"
start=$(date +%s.%N)
taskset -c 0 "$bin" nlu classify --reference-date 2026-03-10 < "$work/in.jsonl" > "$work/out.jsonl"
end=$(date +%s.%N)
python3 -c "s=$end-$start; print(f'classified $n replies in {s:.2f} s: {$n/s:,.0f} replies/s on one core (JSON in and out included)')"
