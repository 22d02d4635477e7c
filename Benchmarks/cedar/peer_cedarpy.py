#!/usr/bin/env python3
"""Measures the Rust Cedar engine through cedarpy on a workload from workload.py; prints one JSON object
with the same fields as `custos policy bench`.

Throughput uses `is_authorized_batch` with pre-parsed policy and entity handles (the fastest path cedarpy
offers); latency percentiles come from single `is_authorized` calls, so they include the Python boundary.
"""
import argparse
import json
import resource
import time

import cedarpy


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--policies", required=True, help="Cedar's JSON policy format")
    parser.add_argument("--entities", required=True)
    parser.add_argument("--requests", required=True)
    parser.add_argument("--seconds", type=float, default=3)
    args = parser.parse_args()

    load_start = time.perf_counter()
    policies = cedarpy.PolicySet.from_json_str(open(args.policies).read())
    entities = cedarpy.Entities.from_json_str(open(args.entities).read())
    requests = [json.loads(line) for line in open(args.requests) if line.strip()]
    load_seconds = time.perf_counter() - load_start

    decisions = 0
    allowed = 0
    start = time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        for result in cedarpy.is_authorized_batch(requests, policies, entities):
            allowed += result.allowed if hasattr(result, "allowed") else str(result.decision).endswith("Allow")
        decisions += len(requests)
    seconds = time.perf_counter() - start

    latencies = []
    latency_start = time.perf_counter()
    while time.perf_counter() - latency_start < min(args.seconds, 2) or len(latencies) < len(requests):
        for r in requests:
            t0 = time.perf_counter_ns()
            cedarpy.is_authorized(r, policies, entities)
            latencies.append(time.perf_counter_ns() - t0)
        if len(latencies) >= 200_000:
            break
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))] / 1000

    print(json.dumps({
        "engine": "cedarpy " + getattr(cedarpy, "__version__", "4.12"),
        "requests": len(requests), "decisions": decisions, "allowed": allowed, "seconds": round(seconds, 3),
        "decisions_per_second": round(decisions / seconds), "p50_us": round(pct(0.5), 2), "p99_us": round(pct(0.99), 2),
        "load_seconds": round(load_seconds, 3),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }, sort_keys=True))


if __name__ == "__main__":
    main()
