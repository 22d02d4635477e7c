#!/usr/bin/env bash
# Identity benchmarks for docs/BENCHMARKS.md: in process (custos identity bench, and PyJWT as the
# peer), then over HTTP on loopback with keep-alive (wrk against `custos serve`): JWT-SVID issuance
# at the token endpoint (renewal by token exchange: verify, sign, durable audit record per token) and
# introspection of a JWT-SVID (a warm verification behind HTTP and the admin check).
# Needs a release build, wrk (apt), and PyJWT with cryptography (pip).
# Usage: Benchmarks/identity/run.sh [SECONDS]   (from the repository root; default 10 s per HTTP run)
set -euo pipefail
seconds=${1:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/.build/release/custos
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "--- in-process, one core ---"
echo "custos: $("$bin" identity bench)"
echo "peer:   $("$python" "$root/Benchmarks/identity/peer_pyjwt.py")"

port=18790
printf 'log_level: warning\n' > "$work/custos.yaml"
"$bin" serve --config "$work/custos.yaml" --data-dir "$work/data" --port $port > "$work/serve.log" 2>&1 &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
admin=$(grep -o 'custos_admin_[A-Za-z0-9_-]*' "$work/serve.log" | head -1)
base=http://127.0.0.1:$port
curl -sf "$base/v1/agents" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"id": "bench", "name": "bench", "sponsor": "dana", "blueprint": {"max_credential_ttl_seconds": 3600}}' >/dev/null
join=$(curl -sf -X POST "$base/v1/agents/bench/join-tokens" -H "Authorization: Bearer $admin" | "$python" -c 'import json,sys; print(json.load(sys.stdin)["token"])')
svid=$(curl -sf "$base/oauth2/token" -d grant_type=urn:custos:params:oauth:grant-type:join-token -d "join_token=$join" \
  --data-urlencode audience=spiffe://custos.local/custos -d ttl=3600 | "$python" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
printf 'grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Atoken-exchange&subject_token=%s&subject_token_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Atoken-type%%3Ajwt&audience=https%%3A%%2F%%2Ftools.example\n' "$svid" > "$work/renew.form"
printf 'token=%s\n' "$svid" > "$work/introspect.form"

# wrk with $1 connections: prints requests/s and latency percentiles.
load() {
  local out
  out=$(FORM=$2 PATH_=$3 TOKEN=${4:-} wrk -t1 -c"$1" -d"${seconds}s" --latency -s "$root/Benchmarks/identity/form.lua" "$base")
  echo "$out" | awk -v c="$1" '/Requests\/sec/{rps=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} /Non-2xx/{bad=$NF}
    END{printf "  %3d connections: %8s req/s  p50 %-8s p99 %-8s non-2xx %s\n", c, rps, p50, p99, (bad==""?0:bad)}'
}
echo "--- HTTP (wrk -t1, keep-alive, ${seconds}s each) ---"
echo "JWT-SVID issuance (POST /oauth2/token, renewal; each token audited durably):"
for connections in 1 16 64; do load $connections "$work/renew.form" /oauth2/token; done
echo "introspection of a JWT-SVID (POST /oauth2/introspect, admin):"
for connections in 1 16 64; do load $connections "$work/introspect.form" /oauth2/introspect "$admin"; done
