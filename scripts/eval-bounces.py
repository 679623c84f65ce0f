#!/usr/bin/env python3
"""Scores `overdue mail inspect` on the bounce corpus (sisimai's set-of-emails with its answers).

For every mail: the kind must match; for a bounce, the first recipient's hard/soft verdict and the
class (first digit) of its status must match the answer's first recipient.

    scripts/eval-bounces.py [--bin PATH] [--corpus DIR] [--errors] [--folds K [--seed N]]

`--folds K` also splits the mails into K folds (a shuffle by a fixed seed, then every K-th mail)
and prints the agreement on each. The rules fit nothing from the corpus, so the folds are not a
train/test split: they only show how much the figure varies from one part of the corpus to another.
"""
import argparse, json, os, random, subprocess, sys, collections

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default=".build/debug/overdue")
ap.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "OverdueMailTests", "Fixtures", "bounces"))
ap.add_argument("--errors", action="store_true")
ap.add_argument("--folds", type=int, default=0, help="also print the agreement on each of K folds")
ap.add_argument("--seed", type=int, default=17, help="the shuffle's seed for --folds (default 17)")
args = ap.parse_args()

answers = [json.loads(l) for l in open(os.path.join(args.corpus, "answers.jsonl"))]
ok = 0
by_kind = collections.Counter()
ok_kind = collections.Counter()
errors = []
agreed = {}
for a in answers:
    path = os.path.join(args.corpus, a["file"])
    r = subprocess.run([args.bin, "mail", "inspect", path, "--format", "json"], capture_output=True, text=True)
    try:
        got = json.loads(r.stdout)
    except Exception:
        errors.append((a["file"], "no output: " + r.stderr.strip()[:200])); by_kind[a["kind"]] += 1; agreed[a["file"]] = False; continue
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
    agreed[a["file"]] = good
    if good:
        ok += 1; ok_kind[a["kind"]] += 1
    else:
        errors.append((a["file"], why))

print(f"{len(answers)} mails · agreement {ok / len(answers):.3f} ({ok}/{len(answers)})")
for k in sorted(by_kind):
    print(f"  {k}: {ok_kind[k]}/{by_kind[k]}")
if args.folds > 1:
    order = [a["file"] for a in answers]
    random.Random(args.seed).shuffle(order)
    figures = []
    for k in range(args.folds):
        fold = order[k::args.folds]
        good = sum(agreed[f] for f in fold)
        figures.append(good / len(fold))
        print(f"  fold {k + 1}/{args.folds} (seed {args.seed}): {good / len(fold):.3f} ({good}/{len(fold)})")
    mean = sum(figures) / len(figures)
    sd = (sum((x - mean) ** 2 for x in figures) / (len(figures) - 1)) ** 0.5
    print(f"  folds: mean {mean:.3f}, sd {sd:.3f}, min {min(figures):.3f}, max {max(figures):.3f}")
if args.errors:
    for f, why in errors:
        print(f"{f}: {why}")
