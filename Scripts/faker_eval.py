#!/usr/bin/env python3
"""Precision, recall and F1 of `custos guard scan` for the checksum- and format-based types, on values
that a third party generated: the Faker library (PyPI `faker`), in several locales, inside sentences
with numbers that are not personal data beside them (order numbers, amounts, versions, dates, times,
postcodes).

The detectors were written from the formats' specifications and tuned on the Presidio synthetic set;
neither they nor the templates below were adjusted to these values before the first run, so that run
is held-out evidence. The values are Faker's; the sentences and the digit grouping of cards (as people
write them: in fours, Amex as 4-6-5, or unbroken) are ours.

Usage: pip install faker; Scripts/faker_eval.py [CUSTOS] [--texts N] [--seed S]
  CUSTOS  the custos executable (default .build/release/custos)

A predicted span counts as a true positive when it overlaps a gold span of the same type that no other
prediction matched (as in guardrails_eval.py); "exact" is the share of true positives whose span is
the gold span to the character. Offsets are Unicode scalars on both sides. Prints a Markdown table.
"""
import argparse
import json
import random
import subprocess
from collections import defaultdict

import faker
from faker import Faker

CARD_TYPES = ["visa16", "visa13", "visa19", "mastercard", "amex", "discover", "jcb15", "jcb16", "diners", "maestro"]
IBAN_LOCALES = ["en_GB", "de_DE", "fr_FR", "nl_NL", "es_ES", "it_IT", "pl_PL", "pt_PT", "fi_FI", "no_NO"]
PHONE_LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "nl_NL", "es_ES", "it_IT", "pt_BR", "pl_PL", "en_AU"]

# Sentences around a value; about half carry a word that announces it, as real text sometimes does.
TEMPLATES = {
    "CREDIT_CARD": [
        "Please charge {} for the renewal.",
        "My card number is {} and it expires next year.",
        "The payment with {} was declined twice.",
        "Use {} for the hotel booking.",
    ],
    "IBAN_CODE": [
        "Send the refund to {} before Friday.",
        "Our IBAN is {}, the account holder is the company.",
        "The transfer from {} arrived this morning.",
        "Bank details: {}",
    ],
    "US_SSN": [
        "Her SSN is {} according to the form.",
        "The applicant wrote {} in the box.",
        "Social security number: {}",
        "Please verify {} against the records.",
    ],
    "IP_ADDRESS": [
        "The request came from {} at night.",
        "Block {} on the firewall.",
        "Server address: {}",
        "Traffic from {} doubled after the release.",
    ],
    "EMAIL_ADDRESS": [
        "Write to {} for the invoice.",
        "Contact: {}",
        "The reply from {} was short.",
        "Forward it to {}, please.",
    ],
    "PHONE_NUMBER": [
        "Call me at {} tomorrow.",
        "Phone: {}",
        "You can reach the office on {} during the week.",
        "The number {} kept ringing.",
    ],
}

# Numbers and tokens that are not personal data, one or two per text.
def distractor(rng: random.Random, fake: Faker) -> str:
    choices = [
        lambda: f"Order {rng.randint(10**5, 10**8 - 1)} ships on {fake.date(pattern='%Y-%m-%d')}.",
        lambda: f"The total was ${rng.randint(1, 9999):,}.{rng.randint(0, 99):02d}.",
        lambda: f"We upgraded to version {rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 40)} last week.",
        lambda: f"The meeting is at {rng.randint(0, 23):02d}:{rng.choice(['00', '15', '30', '45'])} in room {rng.randint(100, 999)}.",
        lambda: f"Invoice INV-{rng.randint(1000, 99999)} covers {rng.randint(2, 40)} items.",
        lambda: f"The parcel went to postcode {fake.postcode()}.",
        lambda: f"Ticket #{rng.randint(100000, 9999999)} was closed.",
        lambda: f"It happened on {fake.date(pattern='%d/%m/%Y')}.",
    ]
    return rng.choice(choices)()


def grouped_card(number: str, rng: random.Random) -> str:
    style = rng.choice(["plain", "spaces", "dashes"])
    if style == "plain":
        return number
    separator = " " if style == "spaces" else "-"
    if len(number) == 15 and number.startswith(("34", "37")):
        parts = [number[:4], number[4:10], number[10:]]
    else:
        parts = [number[i : i + 4] for i in range(0, len(number), 4)]
    return separator.join(parts)


def value(kind: str, rng: random.Random, fakes: dict) -> str:
    if kind == "CREDIT_CARD":
        return grouped_card(fakes["en_US"].credit_card_number(card_type=rng.choice(CARD_TYPES)), rng)
    if kind == "IBAN_CODE":
        return fakes[rng.choice(IBAN_LOCALES)].iban()
    if kind == "US_SSN":
        return fakes["en_US"].ssn()
    if kind == "IP_ADDRESS":
        fake = fakes["en_US"]
        return rng.choice([fake.ipv4_public, fake.ipv4_private, fake.ipv6])()
    if kind == "EMAIL_ADDRESS":
        fake = fakes[rng.choice(["en_US", "de_DE", "fr_FR"])]
        return rng.choice([fake.email, fake.company_email, fake.free_email])()
    return fakes[rng.choice(PHONE_LOCALES)].phone_number()


def generate(count: int, seed: int):
    rng = random.Random(seed)
    Faker.seed(seed)
    fakes = {locale: Faker(locale) for locale in set(IBAN_LOCALES + PHONE_LOCALES + ["en_US", "de_DE", "fr_FR"])}
    samples = []
    for _ in range(count):
        pieces, spans = [], []
        parts = [("value", rng.choice(list(TEMPLATES)))] + [("distractor", None)] * rng.randint(1, 2)
        rng.shuffle(parts)
        text = ""
        for role, kind in parts:
            if text:
                text += " "
            if role == "distractor":
                text += distractor(rng, fakes["en_US"])
                continue
            template = rng.choice(TEMPLATES[kind])
            filled = value(kind, rng, fakes)
            before, after = template.split("{}")
            start = len(text) + len(before)
            text += before + filled + after
            spans.append((kind, start, start + len(filled), filled))
        samples.append((text, spans))
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("custos", nargs="?", default=".build/release/custos")
    parser.add_argument("--texts", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--misses", type=int, default=0, help="print up to this many missed values per type")
    arguments = parser.parse_args()

    samples = generate(arguments.texts, arguments.seed)
    lines = "".join(json.dumps({"id": i, "text": text}) + "\n" for i, (text, _) in enumerate(samples))
    out = subprocess.run([arguments.custos, "guard", "scan"], input=lines.encode(), capture_output=True, check=True).stdout
    predictions = {}
    for line in out.decode().splitlines():
        answer = json.loads(line)
        predictions[answer["id"]] = [(p["type"], p["start"], p["end"]) for p in answer["pii"]]

    types = list(TEMPLATES)
    tp, fp, fn, exact = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    misses, false_alarms = defaultdict(list), defaultdict(list)
    for i, (text, gold) in enumerate(samples):
        # Python's str offsets are code points, the same as Unicode scalars for these texts.
        used = set()
        for (t, a, b) in predictions.get(i, []):
            if t not in types:
                continue
            match = next((k for k, (gt, ga, gb, _) in enumerate(gold) if gt == t and k not in used and a < gb and ga < b), None)
            if match is None:
                fp[t] += 1
                false_alarms[t].append(text[a:b])
            else:
                used.add(match)
                tp[t] += 1
                exact[t] += (a, b) == gold[match][1:3]
        for k, (gt, _, _, filled) in enumerate(gold):
            if k not in used:
                fn[gt] += 1
                misses[gt].append(filled)

    print(f"Faker {faker.VERSION}, {arguments.texts} texts, seed {arguments.seed}\n")
    print("| type | gold | TP | FP | FN | precision | recall | F1 | exact span |")
    print("|---|---|---|---|---|---|---|---|---|")
    for t in types:
        p = tp[t] / (tp[t] + fp[t]) if tp[t] + fp[t] else 0.0
        r = tp[t] / (tp[t] + fn[t]) if tp[t] + fn[t] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        e = exact[t] / tp[t] if tp[t] else 0.0
        print(f"| {t} | {tp[t] + fn[t]} | {tp[t]} | {fp[t]} | {fn[t]} | {p:.3f} | {r:.3f} | {f:.3f} | {e:.3f} |")
    if arguments.misses:
        for t in types:
            if misses[t]:
                print(f"\nmissed {t}: " + ", ".join(repr(m) for m in misses[t][: arguments.misses]))
            if false_alarms[t]:
                print(f"false {t}: " + ", ".join(repr(m) for m in false_alarms[t][: arguments.misses]))


if __name__ == "__main__":
    main()
