"""Compares what two builds of Custos find, text by text: the check behind "same findings" when the
scanner is changed for speed.

    python3 Scripts/guardrails_differential.py OLD_CUSTOS NEW_CUSTOS [--shared ../shared] [--with-injection]

The texts: 30,000 generated ones (fixed seed) that join fragments chosen to reach every detector's
edges (cards, IBANs, SSNs, phones, IPv4 and IPv6, dates, US identifiers, addresses, names, every key
format, markings, context words, non-ASCII letters, invisible characters, separators), then the
Presidio synthetic set and the injection set from ../shared/data. Both builds run `custos guard scan`
on them; personal data, secrets, markings and labels must be identical (the injection score too with
`--with-injection`, which differs whenever the model does). Prints the differences, by type, with a
few examples; exits 1 if there are any.
"""
import argparse
import collections
import json
import os
import random
import subprocess
import sys
import tempfile

FRAGMENTS = [
    "john.doe@example.com", "a@b.co", "@", "x@y", "4111 1111 1111 1111", "4111-1111-1111-1111", "378282246310005",
    "6011111111111117", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "123-45-6789", "078 05 1120", "123456789",
    "SSN", "ssn:", "social security", "192.168.0.1", "10.0.0.256", "::1", "2001:db8::ff00:42:8329", "fe80::1%eth0", "dead:beef",
    "+1 (555) 123-4567", "+44 20 7946 0958", "(555) 123-4567", "555.123.4567", "0171 1234567", "2012-10-01", "7/14/1995",
    "12.05.2020", "phone", "call", "born", "DOB:", "date of birth", "July 14, 1995", "14 July 1995", "Jan. 3, 1990", "1234567893",
    "NPI", "provider", "1EG4-TE5-MK73", "1EG4TE5MK73", "Medicare", "passport", "C12345678", "912803456", "driver's license", "DL",
    "D1234-56789", "221B Baker Street", "1600 Pennsylvania Avenue NW", "12 Main St., Apt. 4", "Suite 274", "Mr.", "Dr",
    "Mrs. Anne-Marie O'Neil", "Name:", "Patient:", "my name is", "Sincerely,", "Jane Smith", "AKIAIOSFODNN7EXAMPLE",
    "xAKIAIOSFODNN7EXAMPLE", "ghp_" + "a" * 36, "github_pat_" + "B" * 30, "glpat-" + "x" * 20, "xoxb-123-456-abc",
    "https://hooks.slack.com/services/T000/B000/" + "X" * 20, "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "sk-ant-api03-" + "A" * 40,
    "sk-proj-" + "Z" * 40, "sk-" + "q" * 48, "AIza" + "S" * 35, "AccountKey=" + "K" * 86 + "==",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "-----BEGIN PUBLIC KEY-----",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijklmnopqrstuv", "eyJ", "postgres://user:p4ss@db:5432/x", "mysql://root@h/",
    "redis://:pw@h", "password=", "token:", "api key", "9fQ3xZ7LmP2vT8kR4wN6yB1cD5hJ0sGa", "secret", "CONFIDENTIAL",
    "*** STRICTLY CONFIDENTIAL ***", "Classification: Internal", "Sensitivity: Public", "INTERNAL USE ONLY", "café", "Zoë",
    "ÉCOLE", "日本語", "\u200b", "Ωmega", "–", "—", "’", "\t", "  ", ",", ".", ":", ";", "-", "/", "(", ")", "+", "=", "_", "'", '"',
    "the", "quick", "brown", "fox", "card", "visa", "credit", "a", "be", "face", "add", "cafe", "2024", "99", "0", "12",
    "1-800-555-0199", "1", "ab", "Street", "Road",
]
SEPARATORS = [" ", " ", " ", "", "\n", ", ", ":", "-", ".", "/", "\n\n"]


def texts(shared):
    rng = random.Random(7)
    for i in range(30000):
        parts = []
        for _ in range(rng.randint(1, 25)):
            parts += [rng.choice(FRAGMENTS), rng.choice(SEPARATORS)]
        yield f"generated-{i}", "".join(parts)
    for i, sample in enumerate(json.load(open(os.path.join(shared, "data/pii/presidio-synth-dev.json")))):
        yield f"presidio-{i}", sample["full_text"]
    for line in open(os.path.join(shared, "data/injection/dev.jsonl")):
        item = json.loads(line)
        yield f"injection-{item['id']}", item["text"]


def scan(custos, path):
    out = subprocess.run([custos, "guard", "scan", "--input", path], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "../../shared"))
    parser.add_argument("--with-injection", action="store_true")
    args = parser.parse_args()

    items = list(texts(args.shared))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("".join(json.dumps({"id": key, "text": text}) + "\n" for key, text in items))
        path = f.name
    try:
        old, new = scan(args.old, path), scan(args.new, path)
    finally:
        os.unlink(path)
    fields = ["pii", "secrets", "markings", "labels"] + (["injection"] if args.with_injection else [])
    differences = collections.Counter()
    examples = []
    for (key, text), a, b in zip(items, old, new):
        for field in fields:
            if a.get(field) == b.get(field):
                continue
            if field in ("pii", "secrets", "markings"):
                spans = lambda r: {(f["type"], f["start"], f["end"]) for f in r.get(field, [])}
                for kind, found in (("old only", spans(a) - spans(b)), ("new only", spans(b) - spans(a))):
                    for finding in found:
                        differences[f"{kind} {finding[0]}"] += 1
                        if len(examples) < 10:
                            examples.append(f"{key}: {kind} {finding[0]} {text[finding[1]:finding[2]]!r}")
            else:
                differences[f"{field} differs"] += 1
                if len(examples) < 10:
                    examples.append(f"{key}: {field} {a.get(field)} -> {b.get(field)}")
    print(f"{len(items)} texts ({len(items) - 30000} from ../shared/data), fields compared: {', '.join(fields)}")
    if not differences:
        print("no differences")
        return
    for kind, count in differences.most_common():
        print(f"  {count:6d}  {kind}")
    print("examples:")
    for example in examples:
        print("  " + example)
    sys.exit(1)


main()
