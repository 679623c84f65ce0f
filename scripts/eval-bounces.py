#!/usr/bin/env python3
"""Scores `overdue mail inspect` on the bounce corpus (sisimai's set-of-emails with its answers).

For every mail: the kind must match; for a bounce, the first recipient's hard/soft verdict and the
class (first digit) of its status must match the answer's first recipient.

    scripts/eval-bounces.py [--bin PATH] [--corpus DIR] [--errors]
"""
import argparse, json, os, subprocess, sys, collections

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default=".build/debug/overdue")
ap.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "OverdueMailTests", "Fixtures", "bounces"))
ap.add_argument("--errors", action="store_true")
args = ap.parse_args()

answers = [json.loads(l) for l in open(os.path.join(args.corpus, "answers.jsonl"))]
ok = 0
by_kind = collections.Counter()
ok_kind = collections.Counter()
errors = []
for a in answers:
    path = os.path.join(args.corpus, a["file"])
    r = subprocess.run([args.bin, "mail", "inspect", path, "--format", "json"], capture_output=True, text=True)
    try:
        got = json.loads(r.stdout)
    except Exception:
        errors.append((a["file"], "no output: " + r.stderr.strip()[:200])); by_kind[a["kind"]] += 1; continue
    by_kind[a["kind"]] += 1
    good = got["kind"] == a["kind"]
    why = f"kind {got['kind']} != {a['kind']}" if not good else ""
    if good and a["kind"] == "bounce" and a["recipients"]:
        want = a["recipients"][0]
        mine = got["recipients"][0] if got["recipients"] else None
        if mine is None:
            good, why = False, "no recipient"
        else:
            if bool(mine["hard"]) != bool(want["hard"]):
                good, why = False, f"hard {mine['hard']} != {want['hard']} ({mine.get('status')} vs {want['status']}, {want['reason']})"
            elif want["status"] and (mine.get("status") or "")[:1] != want["status"][:1]:
                good, why = False, f"status {mine.get('status')} != {want['status']}"
    if good:
        ok += 1; ok_kind[a["kind"]] += 1
    else:
        errors.append((a["file"], why))

print(f"{len(answers)} mails · agreement {ok / len(answers):.3f} ({ok}/{len(answers)})")
for k in sorted(by_kind):
    print(f"  {k}: {ok_kind[k]}/{by_kind[k]}")
if args.errors:
    for f, why in errors:
        print(f"{f}: {why}")
