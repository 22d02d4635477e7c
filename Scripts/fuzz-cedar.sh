#!/usr/bin/env bash
# Fuzzes the Cedar parsers (policy text, expressions, schemas, JSON, EST) with libFuzzer and
# AddressSanitizer. Usage: Scripts/fuzz-cedar.sh [SECONDS] [extra libFuzzer flags...]
# A crash, a formatting round trip that changes policies, or an input slower than -timeout stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"; shift || true
out=.build-fuzz
mkdir -p "$out/corpus"
cp -n ../shared/data/cedar/tests/*/*.cedar ../shared/data/cedar/sample-data/*/*.cedarschema "$out/corpus/" 2>/dev/null || true
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name Cedar \
    $(find Sources/Cedar -name '*.swift') Fuzz/CedarFuzz.swift -o "$out/cedar-fuzz"
"$out/cedar-fuzz" "$out/corpus" -max_total_time="$seconds" -timeout=2 -max_len=4096 -print_final_stats=1 "$@"
