#!/usr/bin/env python3
"""Trains Overdue's reply model (intent and sentiment) on the training set and writes its weights
into the Swift sources. Deterministic: the same data, features and versions give the same bytes.

    python3 -m pip install scikit-learn==1.9.1 numpy scipy      # training only; Overdue runs without Python
    swift build                                                  # the features come from the binary itself
    scripts/nlu/train.py [--bin .build/debug/overdue] [--folds 5] [--no-write] [--json OUT]

What it does:
1. reads the training set (`Tests/OverdueLanguageTests/Fixtures/replies-train/part*.jsonl`, 1,309
   labelled replies with per-line reference dates) — never the dev set, which stays for validation;
2. asks `overdue nlu features` for each reply's features, so training and Swift inference read the
   very same features (hashed words, word pairs, negated words, character n-grams and facts);
3. fits multinomial logistic regression for the intent and for the sentiment (L2, C chosen by
   k-fold cross-validation from a small grid), keeping features seen in at least two replies;
4. fits one temperature per head on the out-of-fold predictions (so the confidence is calibrated);
5. k-fold cross-validation of the whole reader: each fold's model is written to a file and the
   held-out replies are read by `overdue nlu classify --model` — intent, entities, calibration —
   scored with `scripts/nlu/metrics.py`;
6. trains on all of it, quantises the weights to Int8 per class, and writes
   `Sources/OverdueLanguage/IntentModelWeights.swift` and a parity sample
   (`Tests/OverdueLanguageTests/Fixtures/model-sample.jsonl`: the trainer's probabilities, which
   the Swift test must reproduce).
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from nlu import metrics  # noqa: E402

TRAIN = os.path.join(ROOT, "Tests/OverdueLanguageTests/Fixtures/replies-train")
WEIGHTS = os.path.join(ROOT, "Sources/OverdueLanguage/IntentModelWeights.swift")
SAMPLE = os.path.join(ROOT, "Tests/OverdueLanguageTests/Fixtures/model-sample.jsonl")
INTENTS = ["promise_to_pay", "paid", "dispute", "document_request", "payment_plan", "wrong_contact", "opt_out",
           "callback_request", "question", "auto_reply", "acknowledge", "abusive", "other"]
SENTIMENTS = ["negative", "neutral", "positive"]
BITS = 22
SEED = 17
# Lines left out of training, each with why (the training README asks for this rather than silent relabelling).
EXCLUDED: dict[str, str] = {}


def load() -> list[dict]:
    rows = []
    for name in sorted(os.listdir(TRAIN)):
        if name.endswith(".jsonl"):
            with open(os.path.join(TRAIN, name), encoding="utf-8") as f:
                rows += [json.loads(line) for line in f if line.strip()]
    return [r for r in rows if r["id"] not in EXCLUDED]


def run(binary: str, args: list[str], rows: list[dict]) -> list[dict]:
    stdin = "".join(json.dumps({"id": r["id"], "channel": r["channel"], "text": r["text"], "reference_date": r["reference_date"]}) + "\n" for r in rows)
    out = subprocess.run([binary, *args], input=stdin, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"error: {' '.join([binary, *args])} failed ({out.returncode}): {out.stderr.strip()[:500]}")
    got = [json.loads(line) for line in out.stdout.splitlines()]
    if len(got) != len(rows):
        sys.exit(f"error: {len(rows)} lines in, {len(got)} out")
    return got


def matrix(feats: list[dict]) -> sp.csr_matrix:
    indptr, indices, data = [0], [], []
    for f in feats:
        for h, v in f["f"]:
            indices.append(h)
            data.append(v)
        indptr.append(len(indices))
    return sp.csr_matrix((np.array(data, dtype=np.float64), np.array(indices), np.array(indptr)), shape=(len(feats), 1 << BITS))


def columns(x: sp.csr_matrix, min_df: int = 2) -> np.ndarray:
    """The feature hashes seen in at least `min_df` replies (sorted)."""
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    return np.flatnonzero(df >= min_df)


def fit(x: sp.csr_matrix, y: np.ndarray, c: float) -> LogisticRegression:
    m = LogisticRegression(C=c, max_iter=5000, tol=1e-6, solver="lbfgs")
    m.fit(x, y)
    return m


class Head:
    """One trained head: its classes (all of `labels`, in that order), weights and bias."""

    def __init__(self, labels: list[str], model: LogisticRegression, cols: np.ndarray):
        self.labels = labels
        w = np.zeros((len(cols), len(labels)))
        b = np.full(len(labels), -30.0)  # a class never seen in training is never predicted
        assert len(model.classes_) > 2, "a head needs three classes or more"
        for k, cls in enumerate(model.classes_):
            j = labels.index(cls)
            w[:, j] = model.coef_[k]
            b[j] = model.intercept_[k]
        self.w, self.b = w, b


def train_heads(x: sp.csr_matrix, rows: list[dict], c_intent: float, c_sent: float) -> tuple[np.ndarray, Head, Head]:
    cols = columns(x)
    xs = x[:, cols]
    yi = np.array([r["intent"] for r in rows])
    ys = np.array([r["sentiment"] for r in rows])
    return cols, Head(INTENTS, fit(xs, yi, c_intent), cols), Head(SENTIMENTS, fit(xs, ys, c_sent), cols)


def quantise(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.maximum(np.abs(w).max(axis=0), 1e-9) / 127.0
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def encode(cols: np.ndarray, heads: tuple[Head, Head], temps: tuple[float, float]) -> tuple[bytes, dict]:
    """The model file (format in IntentModel.swift) and its dequantised arrays for the parity sample."""
    intent, sent = heads
    w = np.hstack([intent.w, sent.w])
    b = np.concatenate([intent.b, sent.b]).astype(np.float32)
    q, scale = quantise(w)
    # A feature whose weights all round to zero carries nothing: leave it out.
    keep = np.flatnonzero(np.abs(q).sum(axis=1) > 0)
    cols, q = cols[keep], q[keep]
    out = bytearray(b"OVDM")
    out += struct.pack("<5I", 1, BITS, len(cols), len(intent.labels), len(sent.labels))
    for labels in (intent.labels, sent.labels):
        text = ",".join(labels).encode()
        out += struct.pack("<I", len(text)) + text
    out += struct.pack("<2f", *temps)
    out += b.astype("<f4").tobytes() + scale.astype("<f4").tobytes()
    out += cols.astype("<u4").tobytes() + q.astype(np.int8).tobytes()
    return bytes(out), {"cols": cols, "q": q.astype(np.float32), "scale": scale, "b": b, "temps": np.array(temps, dtype=np.float32), "ni": len(intent.labels)}


def probabilities(arrays: dict, feats: dict) -> tuple[list[float], list[float]]:
    """What Swift computes: Σ value × Int8 weight per class (Float32), × scale + bias, / temperature, softmax."""
    index = {int(h): i for i, h in enumerate(arrays["cols"])}
    acc = np.zeros(arrays["q"].shape[1], dtype=np.float32)
    for h, v in feats["f"]:
        if h in index:
            acc += np.float32(v) * arrays["q"][index[h]]
    logits = (acc * arrays["scale"] + arrays["b"]).astype(np.float64)
    ni = arrays["ni"]
    li, ls = logits[:ni] / float(arrays["temps"][0]), logits[ni:] / float(arrays["temps"][1])
    soft = lambda z: (np.exp(z - z.max()) / np.exp(z - z.max()).sum()).tolist()  # noqa: E731
    return soft(li), soft(ls)


def temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of the out-of-fold logits."""
    best, best_nll = 1.0, float("inf")
    for t in np.arange(0.3, 4.0, 0.01):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        nll = -(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean()
        if nll < best_nll:
            best, best_nll = float(t), nll
    return round(best, 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.environ.get("OVERDUE_BIN", os.path.join(ROOT, ".build/debug/overdue")))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--grid", default="1,3,10,30", help="values of C tried by cross-validation")
    ap.add_argument("--no-write", action="store_true", help="cross-validate only; leave the Swift weights as they are")
    ap.add_argument("--json", help="write the cross-validation figures here")
    ap.add_argument("--save-predictions", metavar="FILE", help="write the out-of-fold reader output lines here (score with eval-nlu.py --predictions)")
    a = ap.parse_args()

    rows = load()
    print(f"== {len(rows)} training replies ({len(EXCLUDED)} excluded); features from {a.bin}", file=sys.stderr)
    feats = run(a.bin, ["nlu", "features"], rows)
    x = matrix(feats)
    rule = np.array([f["rule"] for f in feats])
    yi = np.array([INTENTS.index(r["intent"]) for r in rows])
    ys = np.array([SENTIMENTS.index(r["sentiment"]) for r in rows])
    folds = list(StratifiedKFold(n_splits=a.folds, shuffle=True, random_state=SEED).split(np.zeros(len(rows)), yi))

    def oof_logits(c: float, y: np.ndarray, labels: list[str]) -> np.ndarray:
        out = np.zeros((len(rows), len(labels)))
        for train, test in folds:
            cols = columns(x[train])
            m = fit(x[train][:, cols], np.array([labels[k] for k in y[train]]), c)
            z = m.decision_function(x[test][:, cols])
            for k, cls in enumerate(m.classes_):
                out[np.ix_(test, [labels.index(cls)])] = z[:, [k]]
        return out

    grid = [float(v) for v in a.grid.split(",")]
    choice = {}
    logits = {}
    for name, y, labels in (("intent", yi, INTENTS), ("sentiment", ys, SENTIMENTS)):
        best = None
        for c in grid:
            z = oof_logits(c, y, labels)
            pred = z.argmax(axis=1)
            if name == "intent":
                pred = np.where(rule, y, pred)  # carrier keywords are decided by rule, not the model
            f1s = []
            for k in range(len(labels)):
                tp = ((pred == k) & (y == k)).sum()
                p = tp / max((pred == k).sum(), 1)
                r = tp / max((y == k).sum(), 1)
                f1s.append(2 * p * r / (p + r) if p + r else 0)
            macro = float(np.mean(f1s))
            print(f"   {name} C={c:g}: out-of-fold macro-F1 {macro:.3f}, accuracy {(pred == y).mean():.3f}", file=sys.stderr)
            if best is None or macro > best[0] + 1e-9:
                best = (macro, c, z)
        choice[name] = best[1]
        logits[name] = best[2]
    temps = (temperature(logits["intent"], yi), temperature(logits["sentiment"], ys))
    print(f"== C: intent {choice['intent']:g}, sentiment {choice['sentiment']:g}; temperatures {temps[0]} / {temps[1]}", file=sys.stderr)

    # The whole reader, fold by fold: each fold's model reads its held-out replies through the binary.
    preds: list[dict | None] = [None] * len(rows)
    with tempfile.TemporaryDirectory() as tmp:
        for k, (train, test) in enumerate(folds):
            cols, hi, hs = train_heads(x[train], [rows[i] for i in train], choice["intent"], choice["sentiment"])
            blob, _ = encode(cols, (hi, hs), temps)
            path = os.path.join(tmp, f"fold{k}.bin")
            with open(path, "wb") as f:
                f.write(blob)
            held = [rows[i] for i in test]
            for i, p in zip(test, run(a.bin, ["nlu", "classify", "--model", path], held)):
                preds[i] = p
            print(f"   fold {k + 1}/{a.folds} read", file=sys.stderr)
    result = metrics.evaluate(rows, preds)
    if a.save_predictions:
        with open(a.save_predictions, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in preds)
    print(f"# {a.folds}-fold cross-validation on the training set ({len(rows)} replies; each reply read by a model that never saw it)\n")
    print(metrics.markdown_report(result))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"choice": choice, "temperatures": temps, "cv": result}, f, indent=1, default=str)

    if a.no_write:
        return
    cols, hi, hs = train_heads(x, rows, choice["intent"], choice["sentiment"])
    blob, arrays = encode(cols, (hi, hs), temps)
    text = base64.b64encode(blob).decode()
    lines = "\n".join(text[i:i + 120] for i in range(0, len(text), 120))
    with open(WEIGHTS, "w") as f:
        f.write("// swift-format-ignore-file\n// Generated by scripts/nlu/train.py from the training set — do not edit.\n")
        f.write(f"// {len(arrays['cols'])} features × {len(INTENTS)} intents + {len(SENTIMENTS)} sentiments, Int8 per class; "
                f"C {choice['intent']:g}/{choice['sentiment']:g}, temperatures {temps[0]}/{temps[1]}.\n")
        f.write("enum IntentModelWeights {\n    /// The model file (see `IntentModel`), base64.\n    static let base64 = \"\"\"\n")
        f.write(lines + "\n\"\"\"\n}\n")
    # Parity sample: every 25th training reply with the probabilities the trainer computes.
    with open(SAMPLE, "w", encoding="utf-8") as f:
        for i in range(0, len(rows), 25):
            pi, ps = probabilities(arrays, feats[i])
            r = rows[i]
            f.write(json.dumps({"id": r["id"], "channel": r["channel"], "text": r["text"], "reference_date": r["reference_date"],
                                "intent": dict(zip(INTENTS, pi)), "sentiment": dict(zip(SENTIMENTS, ps))}, ensure_ascii=False) + "\n")
    print(f"== wrote {os.path.relpath(WEIGHTS, ROOT)} ({len(blob):,} bytes, {len(arrays['cols']):,} features) and {os.path.relpath(SAMPLE, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
