#!/usr/bin/env bash
# PDP benchmarks for docs/BENCHMARKS.md: in-process (custos pdp bench, and cedarpy as the peer on the
# Todo scenario) and over HTTP on loopback with keep-alive (wrk against `custos serve`, with /healthz on
# the same server as the HTTP floor). Needs a release build, wrk (apt) and cedarpy (pip).
# Usage: Benchmarks/pdp/run.sh [SECONDS]   (from the repository root; default 10 s per HTTP run)
set -euo pipefail
seconds=${1:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/.build/release/custos
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
"$python" "$root/Benchmarks/pdp/deployment.py" "$work/deploy" >/dev/null
# The Todo requests: the 40 evaluation vectors of draft 02, five times (so batches of 100 fit).
"$python" - "$root/../shared/data/authzen/interop/authzen-todo-backend/test/decisions-authorization-api-1_0-02.json" \
  "$work/todo.jsonl" <<'PY'
import json, sys
cases = json.load(open(sys.argv[1]))["evaluation"]
open(sys.argv[2], "w").write("".join(json.dumps(c["request"]) + "\n" for c in cases) * 5)
PY

echo "--- in-process ---"
echo "todo:        $("$bin" pdp bench --config "$root/examples/authzen-todo/custos.yaml" --requests "$work/todo.jsonl")"
echo "todo peer:   $("$python" "$root/Benchmarks/pdp/peer_cedarpy.py" "$root/examples/authzen-todo" "$work/todo.jsonl")"
echo "1000 agents: $("$bin" pdp bench --config "$work/deploy/custos.yaml" --agents "$work/deploy/agents.jsonl" --requests "$work/deploy/requests.jsonl")"

# Starts a server on $1 with configuration $2 (audit of decisions $3, executor $4); prints the admin
# token.
start() {
  local port=$1 config=$2 audit=$3 executor=$4 dir="$work/data-$1" base
  base=$(cd "$(dirname "$config")" && pwd)
  # The same policy files (as absolute paths), callers authenticated, warnings-only logs.
  sed -E "s/^authzen:.*//; s/^  allow_unauthenticated:.*//; s#^(  (schema|entities|policies): )(.*)#\\1$base/\\3#" \
    "$config" > "$work/config-$port.yaml"
  printf 'log_level: warning\nexecutor: %s\nauthzen:\n  audit_decisions: %s\n' "$executor" "$audit" >> "$work/config-$port.yaml"
  "$bin" serve --config "$work/config-$port.yaml" --data-dir "$dir" --port "$port" > "$work/serve-$port.log" 2>&1 &
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  grep -o 'custos_admin_[A-Za-z0-9_-]*' "$work/serve-$port.log" | head -1
}

# wrk with $1 connections against $2 (bodies $3, token $4); prints requests/s and latency percentiles.
load() {
  local out
  out=$(BODIES=$3 TOKEN=$4 wrk -t1 -c"$1" -d"${seconds}s" --latency -s "$root/Benchmarks/pdp/post.lua" "$2")
  echo "$out" | awk -v c="$1" '/Requests\/sec/{rps=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} /Non-2xx/{bad=$NF}
    END{printf "  %3d connections: %8s req/s  p50 %-8s p99 %-8s non-2xx %s\n", c, rps, p50, p99, (bad==""?0:bad)}'
}

echo "--- HTTP (wrk -t1, keep-alive, ${seconds}s each) ---"
port=18700
for scenario in todo agents; do
  for audit in false true; do
  for executor in cooperative event_loops; do
    port=$((port + 1))
    if [ $scenario = todo ]; then
      token=$(start $port "$root/examples/authzen-todo/custos.yaml" $audit $executor); bodies=$work/todo.jsonl
    else
      token=$(start $port "$work/deploy/custos.yaml" $audit $executor); bodies=$work/deploy/requests.jsonl
      "$python" - "$port" "$token" "$work/deploy/agents.jsonl" <<'PY'
import http.client, sys
port, token, agents = sys.argv[1], sys.argv[2], sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", int(port))
for line in open(agents):
    c.request("POST", "/v1/agents", body=line, headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    assert r.status == 201, r.status
PY
    fi
    echo "$scenario, decisions audited: $audit, executor: $executor"
    for connections in 4 8 16 64; do load $connections "http://127.0.0.1:$port" "$bodies" "$token"; done
    if [ $scenario = todo ] && [ $audit = false ]; then
      echo "  floor, GET /healthz on the same server:"
      for connections in 8 64; do
        out=$(wrk -t1 -c$connections -d"${seconds}s" --latency "http://127.0.0.1:$port/healthz")
        echo "$out" | awk -v c=$connections '/Requests\/sec/{rps=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} END{printf "  %3d connections: %8s req/s  p50 %-8s p99 %s\n", c, rps, p50, p99}'
      done
    fi
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null
    pkill -f "custos serve --config $work/config-$port.yaml" || true
  done
  done
done
