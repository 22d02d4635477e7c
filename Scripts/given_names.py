#!/usr/bin/env python3
"""Writes Sources/CustosGuardrails/Resources/given-names.txt, the given names the PERSON detector
recognises without a title or label.

Usage: Scripts/given_names.py NAMES_DIR DICTIONARY [OUT]
  NAMES_DIR   the `names/` folder of the PyPI package `names` 0.3.0 (MIT): the US Census Bureau's
              1990 frequency lists of given names, `dist.male.first` and `dist.female.first`
              (public domain). Get it with `pip download --no-deps names==0.3.0` and unpack it.
  DICTIONARY  an English word list, one word a line: Debian's `wamerican`,
              /usr/share/dict/american-english (SCOWL). Used only to leave names out; no word of
              it is written.
  OUT         default Sources/CustosGuardrails/Resources/given-names.txt

A census name is kept when it is 3 to 12 ASCII letters (the words `WordKeys` holds) and is not a
month or weekday (`June`, `Jan`). Names that are also English words in lower case (`will`, `may`,
`grace`, `my`) would read as names at the start of every sentence, so they are left out, except the
ones below, which are mostly given names: those are written after the line `[before a surname]`, and
the detector takes them only before a capitalised word (`John Smith`, not `Frank discussion`). This
list was written by hand from the census names that are dictionary words, with only the odd
templates of the Presidio set looked at (docs/GUARDRAILS.md).
"""
import sys
from pathlib import Path

CALENDAR = set(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


BEFORE_A_SURNAME = set(
    "abbey aline angel art barb barney basil beau bill billy blanch bob bobby bonnie brad brandy brooks buck "
    "bud buddy buster carol chad chance chase chester cherry chuck clay clement cliff colleen crystal curt dale "
    "dawn dean deb derrick dick dirk dolly don dotty drew earl eddy emery ester eve faith fanny frank freeman "
    "garret gene ginger glen grace grant hank harry hazel heath heather hector herb holly homer hope hunter "
    "iris ivy jack jade jarred jasmine jasper jay jimmy john josh joy ken kit kitty lance laurel lea lee lily "
    "mason matt max meg mercy mickey mike miles molly myrtle nick noel olive opal pat patsy patty pearl peg "
    "penny peter phoebe piper porter randy ray reed rick rob robin rocky rod roger rose rosemary ruby rusty "
    "sally sandy sherry sonny sue tad terry tom tony troy victor violet wade waldo walker warren wendy".split()
)


def census_names(folder: Path) -> set[str]:
    names = set()
    for file in ("dist.male.first", "dist.female.first"):
        for line in (folder / file).read_text().splitlines():
            if line.strip():
                names.add(line.split()[0].lower())
    return names


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    folder, dictionary = Path(sys.argv[1]), Path(sys.argv[2])
    out = Path(sys.argv[3] if len(sys.argv) > 3 else "Sources/CustosGuardrails/Resources/given-names.txt")
    words = {w.strip() for w in dictionary.read_text(errors="replace").splitlines() if w.strip().islower()}
    names = {
        name
        for name in census_names(folder)
        if 3 <= len(name) <= 12 and name.isascii() and name.isalpha() and name not in CALENDAR
    }
    kept = sorted(name for name in names if name not in words)
    before_a_surname = sorted(name for name in names if name in words and name in BEFORE_A_SURNAME)
    header = [
        "# Given names for the PERSON detector (CustosGuardrails), one a line, lower case.",
        "# From the US Census Bureau's 1990 given-name lists (public domain), as shipped in the PyPI",
        "# package names 0.3.0 (MIT); names that are English words in lower case (per Debian's",
        "# wamerican word list), months and weekdays, and names shorter than 3 or longer than 12",
        "# letters left out; the names after [before a surname] are English words too, and count",
        "# only before a capitalised word. Written by Scripts/given_names.py; do not edit by hand.",
    ]
    out.write_text("\n".join(header + kept + ["[before a surname]"] + before_a_surname) + "\n")
    print(f"{len(kept)} names and {len(before_a_surname)} before a surname written to {out}")


if __name__ == "__main__":
    main()
