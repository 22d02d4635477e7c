#!/usr/bin/env python3
"""Writes the inputs of `custos guard bench` used in docs/BENCHMARKS.md, from ../shared/data:

  prose.jsonl  the injection set's texts, joined by line feeds into texts of at least 1 KB (prose
               with the odd e-mail or number);
  dense.jsonl  the Presidio set's texts, taken in turn (three times over) and joined into 31 texts of
               at least 4 KB (personal data in nearly every sentence).

Usage: Benchmarks/guardrails/texts.py OUT_DIR   (from the repository root)
"""
import itertools
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parents[2]
data = root.parent / "shared" / "data"


def joined(texts, size, limit=None):
    """Texts joined by line feeds, each at least `size` UTF-8 bytes; a short rest is dropped."""
    out, part, length = [], [], 0
    for text in texts:
        part.append(text)
        length += len(text.encode()) + 1
        if length >= size:
            out.append("\n".join(part))
            part, length = [], 0
            if limit is not None and len(out) == limit:
                break
    return out


def write(path, texts):
    with open(path, "w") as file:
        for number, text in enumerate(texts):
            file.write(json.dumps({"id": str(number), "text": text}, ensure_ascii=False) + "\n")
    print(f"{path}: {len(texts)} texts, {sum(len(t.encode()) for t in texts)} bytes")


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    injection = [json.loads(line)["text"] for line in open(data / "injection" / "dev.jsonl")]
    write(out / "prose.jsonl", joined(injection, 1024))
    presidio = [item["full_text"] for item in json.load(open(data / "pii" / "presidio-synth-dev.json"))]
    write(out / "dense.jsonl", joined(itertools.chain(presidio, presidio, presidio), 4096, limit=31))


if __name__ == "__main__":
    main()
