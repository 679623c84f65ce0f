#!/usr/bin/env python3
"""Scores `overdue nlu classify` on a labelled set (default: the dev set in the test fixtures).

  scripts/eval-nlu.py [--bin PATH] [--data replies.jsonl] [--reference-date 2026-03-10]

Prints macro-F1 and per-intent precision/recall/F1, sentiment accuracy, and per entity field the
share of items where it is exactly right (over items where the label or the prediction has it).
"""
import argparse, collections, json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--bin", default=os.path.join(ROOT, ".build/debug/overdue"))
ap.add_argument("--data", default=os.path.join(ROOT, "Tests/OverdueLanguageTests/Fixtures/replies/replies.jsonl"))
ap.add_argument("--reference-date", default="2026-03-10")
ap.add_argument("--errors", action="store_true", help="list the misclassified items")
a = ap.parse_args()

gold = [json.loads(l) for l in open(a.data, encoding="utf-8") if l.strip()]
stdin = "".join(json.dumps({"id": g["id"], "channel": g["channel"], "text": g["text"]}) + "\n" for g in gold)
out = subprocess.run([a.bin, "nlu", "classify", "--reference-date", a.reference_date], input=stdin, capture_output=True, text=True, check=True).stdout
pred = {p["id"]: p for p in map(json.loads, out.splitlines())}

intents = sorted({g["intent"] for g in gold})
tp, fp, fn = collections.Counter(), collections.Counter(), collections.Counter()
for g in gold:
    p = pred[g["id"]]["intent"]
    if p == g["intent"]:
        tp[p] += 1
    else:
        fp[p] += 1
        fn[g["intent"]] += 1
        if a.errors:
            print(f"{g['id']} {g['intent']:>16} → {p:<16} {g['text'][:110]!r}")
rows = []
for i in intents:
    prec = tp[i] / (tp[i] + fp[i]) if tp[i] + fp[i] else 0.0
    rec = tp[i] / (tp[i] + fn[i]) if tp[i] + fn[i] else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    rows.append((i, prec, rec, f1, tp[i] + fn[i]))
macro = sum(r[3] for r in rows) / len(rows)
accuracy = sum(tp.values()) / len(gold)
sentiment = sum(pred[g["id"]]["sentiment"] == g["sentiment"] for g in gold) / len(gold)

print(f"{len(gold)} replies · intent macro-F1 {macro:.3f} · accuracy {accuracy:.3f} · sentiment accuracy {sentiment:.3f}\n")
print("| Intent | Precision | Recall | F1 | Items |")
print("|---|---|---|---|---|")
for i, p, r, f, n in rows:
    print(f"| {i} | {p:.2f} | {r:.2f} | {f:.2f} | {n} |")
fields = ["promise_date", "amount", "currency", "invoice_refs", "dispute_reason", "document", "redirect", "return_date", "opt_out_channel"]
print("\n| Entity | Exactly right | Items (label or prediction has it) |")
print("|---|---|---|")
for f in fields:
    items = [g for g in gold if f in g or f in pred[g["id"]]]
    def norm(v):
        if isinstance(v, str) and "@" not in v: return v.lower()
        return v
    right = sum(1 for g in items if norm(g.get(f, "∅")) == norm(pred[g["id"]].get(f, "∅")))
    print(f"| {f} | {right / len(items) if items else 0:.2f} | {len(items)} |")
