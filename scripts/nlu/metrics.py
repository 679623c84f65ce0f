"""Scoring functions for the reply reader (`overdue nlu classify`), shared by scripts/eval-nlu.py
and the training script (k-fold cross-validation).

Everything here is pure: functions take a list of gold dicts (labelled lines, as in the fixture
JSONL files) and a parallel list of prediction dicts (the binary's output lines, same order;
`None` or `{}` for a missing prediction) and return plain dicts / lists, or Markdown strings for
the `*_table` renderers. Python 3.11 standard library only.

    from nlu import metrics          # with scripts/ on sys.path
    result = metrics.evaluate(golds, preds)
    print(metrics.markdown_report(result))

Conventions
- Intents: macro-F1 averages per-intent F1 over `labels` (default: the intents present in the gold
  list, in the label guide's order). A predicted intent outside those labels is not averaged in,
  but it still lowers the recall of the gold intent it replaced and gets its own confusion column.
  A missing prediction (or one without `intent`) counts as the pseudo-intent `(missing)`.
- Entities: a field is scored over the items where the gold line or the prediction has the key.
  An absent key and `null` are different values (`promise_date: null` = "a time frame with no
  resolvable day"). Strings are compared case-insensitively unless they contain `@` (emails);
  `invoice_refs` are compared as sets (with the same case rule for each element).
- promise_date is also scored over every item whose GOLD intent is promise_to_pay or
  payment_plan (absent on both sides counts as right: "once he signs off" has no date).
- Language: the gold language is the line's `language` field when it has one; otherwise it is
  guessed (see `gold_language`). The prediction's `language`, when present, is compared with it;
  predictions without `language` count as unknown and are left out of language accuracy.
- Calibration: 10 equal-width confidence bins over [0, 1] (1.0 goes in the last bin);
  expected calibration error = sum over bins of (bin count / n) * |accuracy - mean confidence|.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any, Callable, Iterable

INTENTS = [
    "promise_to_pay", "paid", "dispute", "document_request", "payment_plan", "wrong_contact",
    "opt_out", "callback_request", "question", "auto_reply", "acknowledge", "abusive", "other",
]
SHORT = {
    "promise_to_pay": "PTP", "paid": "PAID", "dispute": "DISP", "document_request": "DOC",
    "payment_plan": "PLAN", "wrong_contact": "WRONG", "opt_out": "OPT", "callback_request": "CALL",
    "question": "Q", "auto_reply": "AUTO", "acknowledge": "ACK", "abusive": "ABU", "other": "OTH",
    "(missing)": "MISS",
}
FIELDS = [
    "promise_date", "amount", "currency", "invoice_refs", "dispute_reason", "document",
    "redirect", "return_date", "opt_out_channel",
]
PROMISE_INTENTS = ("promise_to_pay", "payment_plan")
MISSING = "(missing)"
LANGUAGES = ("en", "es", "fr")

_ABSENT = object()


# ---------------------------------------------------------------------------- helpers

def _intent(p: dict | None) -> str:
    if not p:
        return MISSING
    return p.get("intent") or MISSING


def _order(labels: Iterable[str]) -> list[str]:
    """Known intents in the guide's order, then unknown ones alphabetically, `(missing)` last."""
    labels = set(labels)
    known = [i for i in INTENTS if i in labels]
    rest = sorted(l for l in labels if l not in INTENTS and l != MISSING)
    return known + rest + ([MISSING] if MISSING in labels else [])


def _check(golds: list[dict], preds: list[dict | None]) -> None:
    if len(golds) != len(preds):
        raise ValueError(f"{len(golds)} gold items but {len(preds)} predictions (lists must be parallel)")


def short(label: str) -> str:
    return SHORT.get(label, label[:6].upper())


def normalise(field: str, value: Any) -> Any:
    """The comparable form of an entity value (`_ABSENT` stays as is; `None` is a value)."""
    def s(v):
        return v.lower() if isinstance(v, str) and "@" not in v else v
    if value is _ABSENT or value is None:
        return value
    if field == "invoice_refs" and isinstance(value, list):
        return frozenset(s(v) if isinstance(v, str) else repr(v) for v in value)
    if isinstance(value, (list, dict)):
        return repr(value)
    return s(value)


def safe_div(a: float, b: float) -> float:
    return a / b if b else 0.0


# ---------------------------------------------------------------------------- language

_WORDS = {
    "en": set("""the and to of is are was were we you your our i my me it its this that these those for
        on in at be been have has had will would can could please thanks thank with not no from
        pay paid payment invoice invoices check week today tomorrow friday monday sent send call
        hi hello regards what which when how do does did just got out office back yes ok okay
        who there they them he she his her an a as by if or so but all any our us""".split()),
    "es": set("""el la los las de del que y en por para es un una no se con su sus le lo les al nos
        pero gracias favor está esta este estos estas son hay muy ya más mas pago pagos factura
        facturas semana mañana hoy viernes lunes martes miércoles jueves quién quien cuál cual
        cuando cuándo como cómo hola saludos buenos buenas días tardes usted ustedes nosotros
        podemos puedo tenemos estamos vamos favor mi me te ni yo fue sido ser hacer enviar
        envío envíen depósito transferencia pendiente saldo cuenta adjunto alto baja pagado enterado debo cuánto""".split()),
    "fr": set("""le la les de des du et en pour est un une pas ne que qui nous vous je sur avec merci
        bonjour ce cette ces au aux on il elle sont été avoir fait faire mais ou où votre vos notre
        nos mon ma mes très plus facture factures paiement semaine demain aujourd'hui vendredi
        lundi mardi mercredi jeudi bonne journée cordialement salut oui non svp s'il vous plaît
        envoyé envoyer chèque virement compte solde reçu reçue déjà dans c'est j'ai n'est
        qu'on d'ici arrêt arret mauvais numéro noté réunion appelez montant quoi donc char""".split()),
}
_CHARS = {"es": "ñ¿¡áíóú", "fr": "çèêàùœâîôûë"}
_TOKEN = re.compile(r"[a-zà-ÿœ']+")


def guess_language(text: str, candidates: Iterable[str] = LANGUAGES) -> str:
    """Guess the language of a reply from common function words (and a few accented letters).

    Scores each candidate by the count of its function words in the text, plus 2 per
    language-specific accented letter; the highest score wins, ties go to the first candidate.
    Crude on purpose: good enough to split a set into en/es/fr for reporting."""
    candidates = list(candidates)
    if len(candidates) == 1:
        return candidates[0]
    low = text.lower()
    tokens = _TOKEN.findall(low)
    expanded = []
    for t in tokens:
        expanded.append(t)
        if "'" in t:  # French elisions: "l'adresse", "qu'on" count as their parts too
            expanded.extend(p for p in t.split("'") if p)
    scores = {}
    for lang in candidates:
        words = _WORDS.get(lang, set())
        score = sum(1 for t in expanded if t in words)
        score += 2 * sum(low.count(c) for c in _CHARS.get(lang, ""))
        scores[lang] = score
    best = max(scores.values())
    return next(l for l in candidates if scores[l] == best)


_TRAIN_ID = re.compile(r"^tr([1-9])-")


def gold_language(gold: dict) -> str:
    """The gold language of a labelled line: its `language` field when it has one; otherwise a guess.

    Part 4 of the training set (`tr4-…`: Spanish, Québec French and bilingual) is guessed es vs fr;
    every other line — the other parts hold Spanish replies too — is guessed among en/es/fr."""
    lang = gold.get("language")
    if isinstance(lang, str) and lang:
        return lang.lower()
    m = _TRAIN_ID.match(str(gold.get("id", "")))
    text = gold.get("text", "") or ""
    if m:
        return guess_language(text, ("es", "fr")) if m.group(1) == "4" else guess_language(text)
    return guess_language(text)


def language_scores(golds: list[dict], preds: list[dict | None]) -> dict:
    """Accuracy of the predicted `language` against the gold language, over predictions that have one."""
    _check(golds, preds)
    n_pred = right = 0
    confusion: dict[str, Counter] = defaultdict(Counter)
    gold_counts = Counter()
    for g, p in zip(golds, preds):
        gl = gold_language(g)
        gold_counts[gl] += 1
        pl = (p or {}).get("language")
        if not pl:
            confusion[gl]["unknown"] += 1
            continue
        n_pred += 1
        right += pl == gl
        confusion[gl][pl] += 1
    return {
        "gold_counts": dict(sorted(gold_counts.items())),
        "with_prediction": n_pred,
        "right": right,
        "accuracy": safe_div(right, n_pred) if n_pred else None,
        "confusion": {g: dict(c) for g, c in sorted(confusion.items())},
    }


# ---------------------------------------------------------------------------- intents

def intent_scores(golds: list[dict], preds: list[dict | None], labels: list[str] | None = None) -> dict:
    """n, accuracy, macro-F1 and per-intent precision/recall/F1/support (support = gold count).

    `labels` (default: intents present in the gold list) are the intents averaged in macro-F1."""
    _check(golds, preds)
    labels = _order(labels if labels is not None else {g["intent"] for g in golds})
    tp, fp, fn, support, predicted = Counter(), Counter(), Counter(), Counter(), Counter()
    for g, p in zip(golds, preds):
        gi, pi = g["intent"], _intent(p)
        support[gi] += 1
        predicted[pi] += 1
        if gi == pi:
            tp[gi] += 1
        else:
            fp[pi] += 1
            fn[gi] += 1
    per = {}
    for i in labels:
        prec = safe_div(tp[i], tp[i] + fp[i])
        rec = safe_div(tp[i], tp[i] + fn[i])
        per[i] = {
            "precision": prec, "recall": rec, "f1": safe_div(2 * prec * rec, prec + rec),
            "support": support[i], "predicted": predicted[i], "tp": tp[i],
        }
    n = len(golds)
    return {
        "n": n,
        "accuracy": safe_div(sum(tp.values()), n),
        "macro_f1": safe_div(sum(r["f1"] for r in per.values()), len(per)),
        "labels": labels,
        "per_intent": per,
    }


def confusion_matrix(golds: list[dict], preds: list[dict | None], labels: list[str] | None = None) -> dict:
    """Counts of (gold intent, predicted intent). Rows: gold; columns: predicted.

    Columns (`labels`): `labels` (default: gold intents) plus any other predicted intent and
    `(missing)` when they occur; rows (`rows`): the same without `(missing)`. `matrix[r][c]`."""
    _check(golds, preds)
    pairs = Counter((g["intent"], _intent(p)) for g, p in zip(golds, preds))
    base = set(labels if labels is not None else {g["intent"] for g in golds})
    axis = _order(base | {pi for _, pi in pairs} | {gi for gi, _ in pairs})
    rows = [l for l in axis if l != MISSING]
    return {"labels": axis, "rows": rows, "matrix": [[pairs[(gi, pi)] for pi in axis] for gi in rows]}


def sentiment_scores(golds: list[dict], preds: list[dict | None]) -> dict:
    _check(golds, preds)
    right = sum(1 for g, p in zip(golds, preds) if (p or {}).get("sentiment") == g.get("sentiment"))
    conf = Counter((g.get("sentiment"), (p or {}).get("sentiment")) for g, p in zip(golds, preds))
    return {
        "n": len(golds), "right": right, "accuracy": safe_div(right, len(golds)),
        "confusion": {f"{a}->{b}": c for (a, b), c in sorted(conf.items(), key=lambda kv: str(kv[0]))},
    }


def misclassified(golds: list[dict], preds: list[dict | None]) -> list[dict]:
    """The items whose predicted intent differs from the gold one."""
    _check(golds, preds)
    out = []
    for g, p in zip(golds, preds):
        if _intent(p) != g["intent"]:
            out.append({
                "id": g.get("id"), "channel": g.get("channel"), "gold": g["intent"],
                "predicted": _intent(p), "confidence": (p or {}).get("confidence"),
                "text": g.get("text", ""), **({"error": p["error"]} if p and "error" in p else {}),
            })
    return out


# ---------------------------------------------------------------------------- entities

def field_match(field: str, gold: dict, pred: dict | None) -> bool | None:
    """True/False when the gold line or the prediction has `field`; None when neither has it."""
    pred = pred or {}
    if field not in gold and field not in pred:
        return None
    return normalise(field, gold.get(field, _ABSENT)) == normalise(field, pred.get(field, _ABSENT))


def entity_scores(golds: list[dict], preds: list[dict | None], fields: list[str] = FIELDS) -> dict:
    """Per field: items (label or prediction has it), gold (label has it), right, exact share.

    Adds `promise_date_promise_intents`: the promise_date exact share over every item whose gold
    intent is promise_to_pay or payment_plan (absent on both sides counts as right)."""
    _check(golds, preds)
    out = {}
    for f in fields:
        items = right = gold_has = pred_has = 0
        for g, p in zip(golds, preds):
            m = field_match(f, g, p)
            gold_has += f in g
            pred_has += f in (p or {})
            if m is None:
                continue
            items += 1
            right += m
        out[f] = {"items": items, "gold": gold_has, "predicted": pred_has, "right": right,
                  "exact": safe_div(right, items) if items else None}
    items = right = 0
    for g, p in zip(golds, preds):
        if g.get("intent") in PROMISE_INTENTS:
            items += 1
            m = field_match("promise_date", g, p)
            right += m is None or m
    out["promise_date_promise_intents"] = {"items": items, "right": right,
                                           "exact": safe_div(right, items) if items else None}
    return out


# ---------------------------------------------------------------------------- calibration

def calibration(golds: list[dict], preds: list[dict | None], bins: int = 10) -> dict:
    """Reliability table of `confidence` vs intent accuracy, and the expected calibration error.

    Predictions without a numeric confidence are counted in `without_confidence` and left out."""
    _check(golds, preds)
    buckets = [[0, 0.0, 0] for _ in range(bins)]  # count, sum of confidence, right
    skipped = 0
    for g, p in zip(golds, preds):
        c = (p or {}).get("confidence")
        if not isinstance(c, (int, float)) or isinstance(c, bool):
            skipped += 1
            continue
        c = min(max(float(c), 0.0), 1.0)
        b = min(int(c * bins), bins - 1)
        buckets[b][0] += 1
        buckets[b][1] += c
        buckets[b][2] += _intent(p) == g["intent"]
    n = sum(b[0] for b in buckets)
    rows, ece = [], 0.0
    for k, (count, conf_sum, right) in enumerate(buckets):
        mean_c = safe_div(conf_sum, count) if count else None
        acc = safe_div(right, count) if count else None
        if count:
            ece += count / n * abs(acc - mean_c)
        rows.append({"lo": k / bins, "hi": (k + 1) / bins, "count": count,
                     "mean_confidence": mean_c, "accuracy": acc})
    return {"n": n, "without_confidence": skipped, "bins": rows, "ece": ece if n else None}


# ---------------------------------------------------------------------------- headline and breakdowns

def headline(golds: list[dict], preds: list[dict | None], labels: list[str] | None = None) -> dict:
    """n, accuracy, macro-F1, sentiment accuracy and promise_date exact share for one group."""
    it = intent_scores(golds, preds, labels)
    pd = entity_scores(golds, preds, ["promise_date"])
    return {
        "n": it["n"], "accuracy": it["accuracy"], "macro_f1": it["macro_f1"],
        "sentiment_accuracy": sentiment_scores(golds, preds)["accuracy"],
        "promise_date_exact": pd["promise_date"]["exact"], "promise_date_items": pd["promise_date"]["items"],
    }


def breakdown(golds: list[dict], preds: list[dict | None], key: Callable[[dict], str]) -> dict:
    """`headline` per group, grouping items by `key(gold)` (e.g. channel, gold language).

    Macro-F1 inside a group averages over the intents present in that group's gold labels."""
    _check(golds, preds)
    groups: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for g, p in zip(golds, preds):
        gs, ps = groups[str(key(g))]
        gs.append(g)
        ps.append(p)
    return {k: headline(gs, ps) for k, (gs, ps) in sorted(groups.items())}


def evaluate(golds: list[dict], preds: list[dict | None], labels: list[str] | None = None,
             sources: list[str] | None = None) -> dict:
    """All figures for one labelled set. `sources` (parallel to golds, e.g. file names) adds a
    per-source breakdown when it has more than one distinct value."""
    _check(golds, preds)
    it = intent_scores(golds, preds, labels)
    result = {
        "n": len(golds),
        "intent": it,
        "confusion": confusion_matrix(golds, preds, it["labels"]),
        "sentiment": sentiment_scores(golds, preds),
        "entities": entity_scores(golds, preds),
        "language": language_scores(golds, preds),
        "by_channel": breakdown(golds, preds, lambda g: g.get("channel", "?")),
        "by_language": breakdown(golds, preds, gold_language),
        "calibration": calibration(golds, preds),
        "errors": misclassified(golds, preds),
        "missing_predictions": sum(1 for p in preds if not p or "intent" not in p),
    }
    if sources is not None and len(set(sources)) > 1:
        if len(sources) != len(golds):
            raise ValueError("sources must be parallel to golds")
        src = {id(g): s for g, s in zip(golds, sources)}
        result["by_source"] = breakdown(golds, preds, lambda g: src[id(g)])
    return result


# ---------------------------------------------------------------------------- Markdown

def _f(v: float | None, digits: int = 3) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def intent_table(intent: dict) -> str:
    lines = ["| Intent | Precision | Recall | F1 | Support | Predicted |", "|---|---:|---:|---:|---:|---:|"]
    for i, r in intent["per_intent"].items():
        lines.append(f"| {i} | {r['precision']:.2f} | {r['recall']:.2f} | {r['f1']:.2f} | {r['support']} | {r['predicted']} |")
    return "\n".join(lines)


def confusion_table(conf: dict) -> str:
    labels = conf["labels"]
    head = "| gold \\ predicted | " + " | ".join(short(l) for l in labels) + " |"
    lines = [head, "|---|" + "---:|" * len(labels)]
    for l, row in zip(conf["rows"], conf["matrix"]):
        cells = [(f"**{c}**" if l == pl and c else (str(c) if c else "·")) for pl, c in zip(labels, row)]
        lines.append(f"| {short(l)} | " + " | ".join(cells) + " |")
    legend = ", ".join(f"{short(l)} = {l}" for l in labels)
    return "\n".join(lines) + f"\n\nLegend: {legend}. Diagonal in bold; · = 0."


def entity_table(entities: dict) -> str:
    lines = ["| Entity | Exactly right | Right | Items (label or prediction has it) | In label | In prediction |",
             "|---|---:|---:|---:|---:|---:|"]
    for f, r in entities.items():
        if f == "promise_date_promise_intents":
            continue
        lines.append(f"| {f} | {_f(r['exact'], 2)} | {r['right']} | {r['items']} | {r['gold']} | {r['predicted']} |")
    pp = entities.get("promise_date_promise_intents")
    if pp:
        lines.append(f"| promise_date, gold intent {' / '.join(PROMISE_INTENTS)} | {_f(pp['exact'], 2)} | "
                     f"{pp['right']} | {pp['items']} (all such items) | | |")
    return "\n".join(lines)


def breakdown_table(groups: dict, title: str) -> str:
    lines = [f"| {title} | n | Accuracy | Macro-F1 | Sentiment | promise_date exact (items) |",
             "|---|---:|---:|---:|---:|---:|"]
    for k, h in groups.items():
        lines.append(f"| {k} | {h['n']} | {h['accuracy']:.3f} | {h['macro_f1']:.3f} | {h['sentiment_accuracy']:.3f} | "
                     f"{_f(h['promise_date_exact'], 2)} ({h['promise_date_items']}) |")
    return "\n".join(lines)


def calibration_table(cal: dict) -> str:
    lines = ["| Confidence | Count | Mean confidence | Accuracy |", "|---|---:|---:|---:|"]
    for b in cal["bins"]:
        close = "]" if b["hi"] >= 1.0 else ")"
        lines.append(f"| [{b['lo']:.1f}, {b['hi']:.1f}{close} | {b['count']} | {_f(b['mean_confidence'])} | {_f(b['accuracy'])} |")
    tail = f"\n\nExpected calibration error: {_f(cal['ece'])} (over {cal['n']} predictions with a confidence"
    tail += f"; {cal['without_confidence']} without)" if cal["without_confidence"] else ")"
    return "\n".join(lines) + tail


def language_summary(lang: dict) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in lang["gold_counts"].items())
    if not lang["with_prediction"]:
        return f"Gold languages (field or guess): {counts}. The predictions carry no `language`: language accuracy unknown."
    conf = "; ".join(f"{g} → " + ", ".join(f"{p} {c}" for p, c in sorted(row.items())) for g, row in lang["confusion"].items())
    return (f"Gold languages (field or guess): {counts}. Language accuracy {lang['accuracy']:.3f} "
            f"({lang['right']}/{lang['with_prediction']} predictions that give one). Gold → predicted: {conf}.")


def markdown_report(result: dict) -> str:
    it = result["intent"]
    parts = [
        f"{result['n']} replies · intent macro-F1 {it['macro_f1']:.3f} · accuracy {it['accuracy']:.3f} · "
        f"sentiment accuracy {result['sentiment']['accuracy']:.3f}"
        + (f" · {result['missing_predictions']} without a prediction" if result.get("missing_predictions") else ""),
        "## Intents\n\n" + intent_table(it),
        "## Confusion matrix (rows: gold, columns: predicted)\n\n" + confusion_table(result["confusion"]),
        "## Entities\n\n" + entity_table(result["entities"]),
        "## By channel\n\n" + breakdown_table(result["by_channel"], "Channel"),
        "## By language (gold)\n\n" + breakdown_table(result["by_language"], "Language") + "\n\n" + language_summary(result["language"]),
    ]
    if "by_source" in result:
        parts.append("## By file\n\n" + breakdown_table(result["by_source"], "File"))
    parts.append("## Confidence calibration\n\n" + calibration_table(result["calibration"]))
    return "\n\n".join(parts)
