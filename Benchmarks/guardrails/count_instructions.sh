#!/usr/bin/env bash
# Instructions a scan executes per KB of text, under QEMU's user-mode emulator with the plugin in
# instructions.c: `custos guard bench --passes 6` minus `--passes 1` (which cancels the start-up:
# loading the texts and building the tables), divided by five passes and by the input's size.
#
#   Benchmarks/guardrails/count_instructions.sh INPUT.jsonl PHASE BINARY...
#
# PHASE is scan or read (see `custos guard bench --help`). Needs `apt-get install qemu-user` and a C
# compiler (the Swift toolchain's clang will do). Deterministic: the same binary and input give the same
# count to within a few instructions per KB.
set -euo pipefail
input=$1 phase=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
plugin=$(mktemp -d)/libinstructions.so
"${CC:-clang}" -shared -fPIC -O2 -o "$plugin" "$here/instructions.c"
count() {
    qemu-x86_64 -plugin "$plugin" "$1" guard bench --input "$input" --phase "$phase" --passes "$2" 2>&1 >/dev/null |
        awk '/^insns/ { print $2 }'
}
bytes=$(python3 -c 'import json, sys; print(sum(len(json.loads(l)["text"].encode()) for l in open(sys.argv[1]) if l.strip()))' "$input")
for binary in "$@"; do
    one=$(count "$binary" 1)
    six=$(count "$binary" 6)
    echo "$binary $phase $(( (six - one) * 1000 / 5 / bytes )) instructions per KB"
done
