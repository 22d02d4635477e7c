#!/usr/bin/env bash
# Runs every Cedar benchmark workload through `custos policy bench` and through cedarpy (the Rust engine)
# in the same run, and prints one JSON line per engine and workload.
# Usage: Benchmarks/cedar/run.sh [SECONDS]   (needs python3 with cedarpy, e.g. .build-venv from .ci/run)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-3}"
python="${CEDARPY_PYTHON:-.build-venv/bin/python}"
work="${CEDAR_BENCH_DIR:-.build-bench}"
swift build -c release --product custos >/dev/null
mkdir -p "$work"
workloads=(
    "small 10 100 freeform"
    "1k-linked 1000 1000 linked"
    "1k-freeform 1000 1000 freeform"
    "10k-linked 10000 100000 linked"
    "10k-freeform 10000 100000 freeform"
)
for spec in "${workloads[@]}"; do
    set -- $spec
    dir="$work/$1"
    [ -f "$dir/policies.json" ] || "$python" Benchmarks/cedar/workload.py --out "$dir" --policies "$2" --entities "$3" --style "$4" >&2
    files=(--policies "$dir/policies.json" --entities "$dir/entities.json" --requests "$dir/requests.jsonl")
    echo "{\"workload\": \"$1\", \"engine\": \"custos\", \"result\": $(.build/release/custos policy bench "${files[@]}" --seconds "$seconds")}"
    echo "{\"workload\": \"$1\", \"engine\": \"cedarpy\", \"result\": $("$python" Benchmarks/cedar/peer_cedarpy.py "${files[@]}" --seconds "$seconds")}"
done
