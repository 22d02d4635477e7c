#!/usr/bin/env python3
"""The peer of the in-process PDP benchmark: cedarpy (Cedar's Rust engine from Python) deciding the
same Todo requests with the same policies and entities, the AuthZEN mapping done in Python as a PDP
built on it would. Prints one JSON object like `custos pdp bench`.

Usage: peer_cedarpy.py EXAMPLE_DIR REQUESTS.jsonl [SECONDS]
"""
import json, sys, time
from importlib.metadata import version
import cedarpy

example, requests_file = sys.argv[1], sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 3
policies = open(example + "/policies.cedar").read()
stored = json.load(open(example + "/entities.json"))
by_uid = {(e["uid"]["type"], e["uid"]["id"]): e for e in stored}
requests = [json.loads(line) for line in open(requests_file) if line.strip()]

def decide(r):
    entities = list(stored)
    for part in ("subject", "resource"):
        e = r[part]
        props = dict(e.get("properties", {}))
        props.update({k: v for k, v in e.items() if k not in ("type", "id", "properties")})
        known = by_uid.get((e["type"], e["id"]))
        if props:
            attrs = dict(props)
            if known:
                attrs.update(known["attrs"])
            entities = [x for x in entities if (x["uid"]["type"], x["uid"]["id"]) != (e["type"], e["id"])]
            entities.append({"uid": {"type": e["type"], "id": e["id"]}, "attrs": attrs,
                             "parents": known["parents"] if known else []})
    request = {"principal": '%s::"%s"' % (r["subject"]["type"], r["subject"]["id"]),
               "action": 'Action::"%s"' % r["action"]["name"],
               "resource": '%s::"%s"' % (r["resource"]["type"], r["resource"]["id"]),
               "context": r.get("context", {})}
    return cedarpy.is_authorized(request, policies, entities).decision == cedarpy.Decision.Allow

allowed = sum(decide(r) for r in requests)
latencies = []
start = time.perf_counter()
i = 0
while time.perf_counter() - start < seconds:
    t = time.perf_counter()
    decide(requests[i % len(requests)])
    latencies.append(time.perf_counter() - t)
    i += 1
elapsed = time.perf_counter() - start
latencies.sort()
print(json.dumps({"peer": "cedarpy " + version("cedarpy"), "requests": len(requests), "allowed": allowed,
                  "single_per_second": round(i / elapsed),
                  "single_p50_us": round(latencies[len(latencies) // 2] * 1e6, 2),
                  "single_p99_us": round(latencies[len(latencies) * 99 // 100] * 1e6, 2)}, sort_keys=True))
