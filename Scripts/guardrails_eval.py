#!/usr/bin/env python3
"""Precision, recall, F1 and false-positive rate of `custos guard scan` on the Presidio synthetic set.

Usage: Scripts/guardrails_eval.py [CUSTOS] [DATA] [--templates odd|even]
  CUSTOS  the custos executable (default .build/release/custos)
  DATA    ../shared/data/pii/presidio-synth-dev.json
  --templates  score only the texts whose template_id is odd or even (the given-name rules were
               written looking at the odd templates only; the even ones are held out)

A predicted span counts as a true positive when it overlaps a gold span of the same type that no
other prediction matched; offsets are Unicode scalars on both sides. The false-positive rate of a
type is the share of texts with no gold span of that type in which the scanner reported one.
Prints a Markdown table (the one in docs/GUARDRAILS.md).
"""
import json, subprocess, sys
from collections import defaultdict

arguments = sys.argv[1:]
parity = None
if "--templates" in arguments:
    at = arguments.index("--templates")
    parity = {"odd": 1, "even": 0}[arguments[at + 1]]
    del arguments[at : at + 2]
custos = arguments[0] if len(arguments) > 0 else ".build/release/custos"
data = arguments[1] if len(arguments) > 1 else "../shared/data/pii/presidio-synth-dev.json"
samples = [s for s in json.load(open(data)) if parity is None or s["template_id"] % 2 == parity]
lines = "".join(json.dumps({"id": i, "text": s["full_text"]}) + "\n" for i, s in enumerate(samples))
out = subprocess.run([custos, "guard", "scan"], input=lines.encode(), capture_output=True, check=True).stdout
predictions = {}
for line in out.decode().splitlines():
    answer = json.loads(line)
    predictions[answer["id"]] = [(p["type"], p["start"], p["end"]) for p in answer["pii"]]

formats = ["EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS"]
# Found where context announces them (a title, a label, a street word, "born", "passport"…).
contextual = ["PERSON", "STREET_ADDRESS", "DATE_TIME", "US_DRIVER_LICENSE", "US_PASSPORT", "US_NPI", "US_MBI"]
detected = formats + contextual
tp, fp, fn = defaultdict(int), defaultdict(int), defaultdict(int)
texts_without, false_alarm_texts = defaultdict(int), defaultdict(int)
for i, sample in enumerate(samples):
    gold = [(s["entity_type"], s["start_position"], s["end_position"]) for s in sample["spans"]]
    used = set()
    for (t, a, b) in predictions.get(i, []):
        match = next((k for k, (gt, ga, gb) in enumerate(gold) if gt == t and k not in used and a < gb and ga < b), None)
        if match is None:
            fp[t] += 1
        else:
            used.add(match)
            tp[t] += 1
    for k, (gt, _, _) in enumerate(gold):
        if k not in used:
            fn[gt] += 1
    gold_types = {g[0] for g in gold}
    predicted_types = {p[0] for p in predictions.get(i, [])}
    for t in detected:
        if t not in gold_types:
            texts_without[t] += 1
            if t in predicted_types:
                false_alarm_texts[t] += 1

def row(name, t, p, n, fpr):
    precision = t / (t + p) if t + p else 0.0
    recall = t / (t + n) if t + n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"| {name} | {t + n} | {t} | {p} | {n} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {fpr} |"

print("| type | gold | TP | FP | FN | precision | recall | F1 | false-positive rate |")
print("|---|---|---|---|---|---|---|---|---|")
def block(types, name):
    for t in types:
        fpr = f"{false_alarm_texts[t] / texts_without[t]:.3f}" if texts_without[t] else "-"
        print(row(t, tp[t], fp[t], fn[t], fpr))
    print(row(name, sum(tp[t] for t in types), sum(fp[t] for t in types), sum(fn[t] for t in types), "-"))
block(formats, "**the six format types**")
block(contextual, "**the context types**")
others = sorted(set(fn) - set(detected))
print(row("**all types** (incl. not detected: " + ", ".join(others) + ")", sum(tp.values()), sum(fp.values()), sum(fn.values()), "-"))
