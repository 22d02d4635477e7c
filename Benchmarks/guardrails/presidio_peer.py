#!/usr/bin/env python3
"""The peer for `custos guard bench --phase scan`: Microsoft Presidio's analyzer over the same texts, one
core, MB/s of UTF-8, printed as one JSON object.

Presidio finds names and places with a spaCy model, which cannot be downloaded here (only PyPI is
reachable, and the models are published elsewhere). It runs with spaCy's blank English pipeline
instead: tokens only, no named entities. What is measured is therefore Presidio's pattern and checksum
recognizers (e-mail, phone, credit card, IBAN, SSN, IP, URL, dates, US identifiers, ...) and its
context scoring: the part of Presidio that does what `custos guard scan` does without a model. With a
spaCy model it would be slower, not faster.

    pip install presidio-analyzer          # 2.2.366 was measured; spaCy comes with it
    Benchmarks/guardrails/presidio_peer.py INPUT.jsonl [--seconds 5]

Presidio's e-mail and URL recognizers ask tldextract for the public suffix list, which it tries to
fetch once from the network; here that fails with a logged error and tldextract uses its bundled copy.
The first text is analysed before the clock starts, so that attempt is not timed.
"""
import argparse
import json
import logging
import time

import spacy
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import SpacyNlpEngine


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="JSON lines with a `text`")
    parser.add_argument("--seconds", type=float, default=5)
    arguments = parser.parse_args()
    logging.disable(logging.CRITICAL)

    texts = [json.loads(line)["text"] for line in open(arguments.input) if line.strip()]
    nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank:en"}])
    nlp.nlp = {"en": spacy.blank("en")}  # loaded here: load() would try to download the model
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    analyzer.analyze(texts[0], language="en")

    count, size, findings = 0, 0, 0
    start = time.perf_counter()
    while time.perf_counter() - start < arguments.seconds:
        text = texts[count % len(texts)]
        findings += len(analyzer.analyze(text, language="en"))
        size += len(text.encode())
        count += 1
    elapsed = time.perf_counter() - start
    print(json.dumps({
        "peer": "presidio-analyzer (spaCy blank:en, no NER)",
        "texts": len(texts),
        "analyzed": count,
        "findings": findings,
        "mb_per_second": round(size / elapsed / 1e6, 3),
        "microseconds_per_kb": round(elapsed * 1e6 / (size / 1000), 1),
    }))


if __name__ == "__main__":
    main()
