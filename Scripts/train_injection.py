"""Trains the prompt-injection model of CustosGuardrails and measures it honestly.

    python3 Scripts/train_injection.py ../shared/data/injection/dev.jsonl .build/release/custos \
        [--write Sources/CustosGuardrails/Resources/injection-model.json]

Features come from `custos guard features` (the same code that scores at run time): phrase families
in six languages, signs of disguise, hashed word unigrams and bigrams, hashed character 4-grams. The model is L2-regularized
logistic regression (scikit-learn, liblinear).

Measurement is nested cross-validation, stratified by source and label: for each of 5 outer folds the
model is trained on the other four, the threshold is chosen on those four alone (inner 4-fold
out-of-fold scores, the lowest threshold whose false-positive rate on benign texts is at most 3%),
and the held-out fold is scored with that model and threshold. Every text is thus scored by a model
and threshold that never saw it. The shipped model is then trained on all texts, with its threshold
chosen the same way on all of them.

Data: ../shared/data/injection/dev.jsonl — deepset/prompt-injections (Apache-2.0), bastioncorpus
0.6.0 (MIT), spikee investment-advice false-positive set (Apache-2.0); see ../shared/data/README.md.
Needs numpy and scikit-learn (pip).
"""
import argparse
import collections
import json
import subprocess

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

NAMED = 32
WIDTH = NAMED + (1 << 14) + (1 << 15)  # named, word n-gram buckets, character 4-gram buckets
TARGET_FPR = 0.03
C = 0.5


def features(custos, path):
    out = subprocess.run([custos, "guard", "features", "--input", path], check=True, capture_output=True, text=True).stdout
    rows, cols, vals, ids = [], [], [], []
    for row, line in enumerate(out.splitlines()):
        item = json.loads(line)
        ids.append(item["id"])
        for index, value in item["x"]:
            rows.append(row)
            cols.append(index)
            vals.append(value)
    return ids, csr_matrix((vals, (rows, cols)), shape=(len(ids), WIDTH))


def fit(x, y):
    model = LogisticRegression(C=C, solver="liblinear", class_weight="balanced", max_iter=2000)
    return model.fit(x, y)


def threshold_for(scores, y):
    """The lowest threshold whose false-positive rate on the benign texts is at most TARGET_FPR."""
    benign = np.sort(scores[y == 0])[::-1]
    allowed = int(np.floor(TARGET_FPR * len(benign)))
    # Scores strictly above the (allowed+1)-th highest benign score are flagged.
    return float(benign[allowed]) + 1e-9 if allowed < len(benign) else 0.0


def inner_threshold(x, y, strata, seed):
    scores = np.zeros(len(y))
    for train, test in StratifiedKFold(4, shuffle=True, random_state=seed).split(x, strata):
        scores[test] = fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    return threshold_for(scores, y)


def report(name, y, flagged):
    tp = int(((flagged == 1) & (y == 1)).sum())
    fp = int(((flagged == 1) & (y == 0)).sum())
    fn = int(((flagged == 0) & (y == 1)).sum())
    tn = int(((flagged == 0) & (y == 0)).sum())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    fpr = fp / (fp + tn) if fp + tn else float("nan")
    print(f"| {name} | {tp + fn} / {fp + tn} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {fpr:.3f} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("custos")
    parser.add_argument("--write")
    parser.add_argument("--named-only", action="store_true", help="ablation: phrase families and disguises only")
    parser.add_argument("--no-char-grams", action="store_true", help="ablation: without the character 4-grams")
    parser.add_argument("--outer-seed", type=int, default=7, help="how the outer folds are drawn (robustness check)")
    args = parser.parse_args()

    items = [json.loads(line) for line in open(args.data)]
    y = np.array([item["label"] for item in items])
    sources = [item["source"].split("/")[0] for item in items]
    strata = [f"{s}:{label}" for s, label in zip(sources, y)]
    ids, x = features(args.custos, args.data)
    assert ids == [item["id"] for item in items]
    if args.named_only:
        x = x[:, :NAMED]
    elif args.no_char_grams:
        x = x[:, :NAMED + (1 << 14)]

    flagged = np.zeros(len(y), dtype=int)
    scores = np.zeros(len(y))
    thresholds = []
    for fold, (train, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=args.outer_seed).split(x, strata)):
        threshold = inner_threshold(x[train], y[train], [strata[i] for i in train], seed=fold)
        thresholds.append(threshold)
        scores[test] = fit(x[train], y[train]).predict_proba(x[test])[:, 1]
        flagged[test] = (scores[test] >= threshold).astype(int)

    print(f"nested 5-fold cross-validation, thresholds chosen inside each fold: {', '.join(f'{t:.3f}' for t in thresholds)}")
    print("| set | injections / benign | precision | recall | F1 | false-positive rate |")
    print("|---|---|---|---|---|---|")
    report("all", y, flagged)
    for source in sorted(set(sources)):
        mask = np.array([s == source for s in sources])
        report(source, y[mask], flagged[mask])
    by_part = collections.defaultdict(list)
    for index, item in enumerate(items):
        by_part[item["source"]].append(index)
    for part, indices in sorted(by_part.items()):
        if "/" in part:
            report(part, y[indices], flagged[indices])

    if args.write and not (args.named_only or args.no_char_grams):
        model = fit(x, y)
        threshold = inner_threshold(x, y, strata, seed=99)
        weights = [[int(i), round(float(w), 5)] for i, w in enumerate(model.coef_[0]) if abs(w) >= 1e-5]
        json.dump({"bias": round(float(model.intercept_[0]), 5), "threshold": round(threshold, 5), "weights": weights,
                   "trained_on": "../shared/data/injection/dev.jsonl (839 texts)", "c": C},
                  open(args.write, "w"), separators=(",", ":"))
        print(f"wrote {args.write}: {len(weights)} weights, threshold {threshold:.3f}")


main()
