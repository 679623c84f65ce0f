#!/usr/bin/env python3
"""Scores the reply reader (`overdue nlu classify`) on labelled JSONL files.

    scripts/eval-nlu.py [--data FILE ...] [--bin PATH] [--reference-date YYYY-MM-DD]
                        [--predictions FILE ...] [--save-predictions FILE]
                        [--errors] [--json OUT]

  --data FILE ...        labelled JSON lines (id, channel, text, intent, sentiment, entity fields,
                         optional reference_date and language); several files are scored together
                         and also broken down per file. Default: the dev set,
                         Tests/OverdueLanguageTests/Fixtures/replies/replies.jsonl.
                         The training set: --data Tests/OverdueLanguageTests/Fixtures/replies-train/part*.jsonl
  --bin PATH             the binary (default $OVERDUE_BIN, else .build/debug/overdue)
  --reference-date DATE  the day replies arrived, for lines without their own reference_date
                         (default 2026-03-10, the dev set's date)
  --predictions FILE ... score these JSON lines of predictions (matched by id) instead of running
                         the binary
  --save-predictions F   write the binary's output lines to F (to score later with --predictions)
  --errors               list the misclassified items
  --json OUT             write every figure as JSON to OUT ("-" = stdout, then no Markdown)

Prints Markdown: intent macro-F1 and accuracy, per-intent precision/recall/F1/support, the
confusion matrix, sentiment accuracy, per entity field the exact-match share (over items where the
label or the prediction has the field; promise_date also over every gold promise_to_pay /
payment_plan item), the headline figures per channel, per gold language and (several files) per
file, and a 10-bin confidence reliability table with the expected calibration error. The scoring
rules are in scripts/nlu/metrics.py, which the training script imports too.

Reference dates: each line is sent with its own `reference_date` when the data has one, and the
binary is run once per distinct date with `--reference-date` set to it, so relative dates resolve
correctly whether or not the binary reads the per-line field.

Language: a line's gold language is its `language` field, else a guess from function words
(training ids tr4-… are Spanish or French, tr1-…tr3-… English; other ids, e.g. the dev set, are
guessed among en/es/fr). A prediction without `language` counts as unknown.
"""
import argparse
import json
import os
import subprocess
import sys
from collections import Counter, OrderedDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from nlu import metrics  # noqa: E402

DEV = os.path.join(ROOT, "Tests/OverdueLanguageTests/Fixtures/replies/replies.jsonl")


def read_jsonl(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: not JSON ({e})")
    return out


def classify(binary, golds, default_date):
    """Run the binary once per reference date; return predictions parallel to golds and raw lines."""
    groups = OrderedDict()
    for k, g in enumerate(golds):
        groups.setdefault(g.get("reference_date") or default_date, []).append(k)
    preds, raw = [None] * len(golds), []
    for date, idx in groups.items():
        lines = []
        for k in idx:
            g = golds[k]
            o = {"id": g["id"], "channel": g.get("channel", "email"), "text": g["text"]}
            if "reference_date" in g:
                o["reference_date"] = g["reference_date"]
            lines.append(json.dumps(o, ensure_ascii=False) + "\n")
        try:
            r = subprocess.run([binary, "nlu", "classify", "--reference-date", date], input="".join(lines),
                               capture_output=True, text=True, encoding="utf-8")
        except OSError as e:
            sys.exit(f"cannot run {binary}: {e} (build it, or pass --bin / $OVERDUE_BIN, or --predictions FILE)")
        if r.returncode not in (0, 2):  # 2 = some lines were bad; their error lines are in the output
            err = r.stderr.strip().splitlines()
            sys.exit(f"{binary} nlu classify exited {r.returncode}:\n" + "\n".join(err[:3]) + ("\n…" if len(err) > 3 else ""))
        out = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        if len(out) != len(idx):
            sys.exit(f"{binary} gave {len(out)} lines for {len(idx)} replies (reference date {date})")
        for k, p in zip(idx, out):
            if p.get("id") != golds[k]["id"]:
                sys.exit(f"output out of order: expected id {golds[k]['id']!r}, got {p.get('id')!r}")
            preds[k] = None if "error" in p and "intent" not in p else p
            if preds[k] is None:
                print(f"warning: {golds[k]['id']}: {p['error']}", file=sys.stderr)
        raw.extend(out)
    return preds, raw


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.environ.get("OVERDUE_BIN") or os.path.join(ROOT, ".build/debug/overdue"),
                    help="the overdue binary (default $OVERDUE_BIN, else .build/debug/overdue)")
    ap.add_argument("--data", nargs="+", action="extend", metavar="FILE", help="labelled JSONL file(s); default: the dev set")
    ap.add_argument("--reference-date", default="2026-03-10", metavar="YYYY-MM-DD",
                    help="for lines without their own reference_date (default 2026-03-10)")
    ap.add_argument("--predictions", nargs="+", action="extend", metavar="FILE",
                    help="score these prediction JSON lines (matched by id) instead of running the binary")
    ap.add_argument("--save-predictions", metavar="FILE", help="write the binary's output lines here")
    ap.add_argument("--errors", action="store_true", help="list the misclassified items")
    ap.add_argument("--json", metavar="OUT", help='write all figures as JSON ("-" = stdout)')
    a = ap.parse_args()

    files = a.data or [DEV]
    golds, sources = [], []
    for path in files:
        rows = read_jsonl(path)
        for g in rows:
            missing = [k for k in ("id", "text", "intent") if k not in g]
            if missing:
                sys.exit(f"{path}: line with id {g.get('id')!r} lacks {', '.join(missing)}")
        golds.extend(rows)
        sources.extend([os.path.basename(path)] * len(rows))
    dup = [i for i, c in Counter(g["id"] for g in golds).items() if c > 1]
    if dup:
        print(f"warning: {len(dup)} duplicate id(s), e.g. {dup[0]!r}", file=sys.stderr)

    if a.predictions:
        by_id = {}
        for path in a.predictions:
            for p in read_jsonl(path):
                by_id[p.get("id")] = p
        preds = [by_id.get(g["id"]) for g in golds]
        absent = sum(p is None for p in preds)
        if absent:
            print(f"warning: {absent} labelled item(s) have no prediction (scored as (missing))", file=sys.stderr)
        raw = None
    else:
        if not os.path.exists(a.bin):
            sys.exit(f"no binary at {a.bin} (build it, or pass --bin / $OVERDUE_BIN, or --predictions FILE)")
        preds, raw = classify(a.bin, golds, a.reference_date)
        if a.save_predictions:
            with open(a.save_predictions, "w", encoding="utf-8") as f:
                f.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in raw)

    result = metrics.evaluate(golds, preds, sources=sources)
    result["meta"] = {
        "data": [os.path.relpath(f, ROOT) for f in files],
        "predictions": a.predictions or None,
        "bin": None if a.predictions else a.bin,
        "default_reference_date": a.reference_date,
        "reference_dates": dict(Counter(g.get("reference_date") or a.reference_date for g in golds)),
    }

    if a.json:
        text = json.dumps(result, ensure_ascii=False, indent=1) + "\n"
        if a.json == "-":
            sys.stdout.write(text)
            return
        with open(a.json, "w", encoding="utf-8") as f:
            f.write(text)

    print(f"Data: {', '.join(result['meta']['data'])}\n")
    print(metrics.markdown_report(result))
    if a.errors:
        print(f"\n## Misclassified ({len(result['errors'])})\n")
        for e in result["errors"]:
            conf = "" if e["confidence"] is None else f" {e['confidence']:.2f}"
            why = f" [{e['error']}]" if "error" in e else ""
            print(f"- {e['id']} ({e['channel']}) {e['gold']} → {e['predicted']}{conf}{why}: {e['text'][:110]!r}")


if __name__ == "__main__":
    main()
