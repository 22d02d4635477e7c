#!/usr/bin/env python3
"""Generates a 1,000-agent deployment for the PDP benchmarks (Benchmarks/pdp/run.sh).

Writes into OUT: custos.yaml (the shipped agent schema; entities and policies below), entities.json
(zones, groups, servers, tools, datasets), agents.jsonl (registrations for POST /v1/agents),
policies.cedar (about 60 policies in the styles of docs/POLICY.md) and requests.jsonl (AuthZEN
evaluation objects with the agent-domain context). Deterministic for a given --seed.
"""
import argparse, json, os, random

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--agents", type=int, default=1000)
p.add_argument("--requests", type=int, default=5000)
p.add_argument("--seed", type=int, default=7)
a = p.parse_args()
rng = random.Random(a.seed)
os.makedirs(a.out, exist_ok=True)

zones = ["internal", "restricted", "external"]
functions = ["finance", "support", "engineering", "sales"]
teams = ["team-%02d" % i for i in range(20)]
domains = ["domain-%02d" % i for i in range(10)]
servers = ["server-%02d" % i for i in range(10)]
entities = [{"uid": {"type": "Zone", "id": z}, "attrs": {}, "parents": []} for z in zones]
entities += [{"uid": {"type": "Group", "id": g}, "attrs": {}, "parents": []} for g in functions + teams]
entities += [{"uid": {"type": "Dataset", "id": d}, "attrs": {"classification": "internal"},
              "parents": [{"type": "Zone", "id": zones[i % 2]}]} for i, d in enumerate(domains)]
datasets = []
for i in range(200):
    d = "ds-%03d" % i
    datasets.append(d)
    entities.append({"uid": {"type": "Dataset", "id": d},
                     "attrs": {"classification": rng.choice(["internal", "confidential", "pii"])},
                     "parents": [{"type": "Dataset", "id": domains[i % 10]}]})
entities += [{"uid": {"type": "Server", "id": s}, "attrs": {"vendor": "acme"},
              "parents": [{"type": "Zone", "id": zones[i % 3]}]} for i, s in enumerate(servers)]
tools = []
for i in range(100):
    t = "tool-%03d" % i
    tools.append(t)
    entities.append({"uid": {"type": "Tool", "id": t}, "attrs": {"name": t},
                     "parents": [{"type": "Server", "id": servers[i % 10]}]})
json.dump(entities, open(os.path.join(a.out, "entities.json"), "w"))

agents = []
with open(os.path.join(a.out, "agents.jsonl"), "w") as f:
    for i in range(a.agents):
        agent = {"id": "agent-%04d" % i, "name": "Agent %d" % i, "sponsor": "owner-%03d@example.com" % (i % 300),
                 "zone": zones[i % 2], "groups": [teams[i % 20], functions[i % 4]], "purpose": "benchmark",
                 "blueprint": {"scopes": ["read"], "max_delegation_depth": i % 3}}
        agents.append(agent)
        f.write(json.dumps(agent) + "\n")

policies = []
for i, team in enumerate(teams):
    policies.append('@id("%s-reads") permit (principal in Group::"%s", action == Action::"read", resource in Dataset::"%s");'
                    % (team, team, domains[i % 10]))
    policies.append('@id("%s-tools") permit (principal in Group::"%s", action == Action::"call_tool", resource in Server::"%s");'
                    % (team, team, servers[i % 10]))
policies += [
    '@id("finance-business-hours") permit (principal in Group::"finance", action in [Action::"read", Action::"export"], resource in Dataset::"domain-00")\n'
    '  when { context.time.hour >= 9 && context.time.hour < 17 && context.time.weekday < 5 };',
    '@id("no-pii-outside") forbid (principal, action == Action::"call_tool", resource in Zone::"external")\n'
    '  when { context has session && context.session.taints.contains("pii") };',
    '@id("export-dual") @approval("dual") forbid (principal, action == Action::"export", resource)\n'
    '  unless { context.approvals >= 2 };',
    '@id("restricted-pii") @approval("single") forbid (principal, action == Action::"read", resource in Zone::"restricted")\n'
    '  when { resource has classification && resource.classification == "pii" && context.approvals < 1 };',
    '@id("inactive") forbid (principal is Agent, action, resource) unless { principal.status == "active" };',
    '@id("depth") forbid (principal, action, resource) when { context.delegation.depth > 2 };',
    '@id("engineering-spawn") permit (principal in Group::"engineering", action == Action::"spawn", resource);',
]
with open(os.path.join(a.out, "policies.cedar"), "w") as f:
    f.write("\n\n".join(policies) + "\n")

with open(os.path.join(a.out, "requests.jsonl"), "w") as f:
    for _ in range(a.requests):
        agent = rng.choice(agents)
        action = rng.choice(["read", "read", "call_tool", "call_tool", "export"])
        team = int(agent["id"][-4:]) % 20
        # Most requests stay within what the agent's team may touch, as in a working deployment.
        if action == "call_tool":
            own = [t for k, t in enumerate(tools) if k % 10 == team % 10]
            resource = {"type": "Tool", "id": rng.choice(own if rng.random() < 0.6 else tools)}
        else:
            own = [d for k, d in enumerate(datasets) if k % 10 == team % 10]
            resource = {"type": "Dataset", "id": rng.choice(own if rng.random() < 0.6 else datasets)}
        context = {
            "delegation": {"depth": rng.choice([0, 0, 1, 3]), "chain": [{"__entity": {"type": "Agent", "id": agent["id"]}}]},
            "approvals": rng.choice([0, 0, 1, 2]),
            "session": {"id": "s-%d" % rng.randrange(10000), "age_seconds": rng.randrange(3600), "calls": rng.randrange(100),
                        "bytes": rng.randrange(1 << 20), "taints": rng.choice([[], [], ["pii"]])},
        }
        f.write(json.dumps({"subject": {"type": "Agent", "id": agent["id"]}, "action": {"name": action},
                            "resource": resource, "context": context}) + "\n")

with open(os.path.join(a.out, "custos.yaml"), "w") as f:
    f.write("# Generated by Benchmarks/pdp/deployment.py: a 1,000-agent deployment on the shipped agent schema.\n"
            "policy:\n  entities: entities.json\n  policies: policies.cedar\n")
print("wrote", a.out, len(entities), "entities,", len(agents), "agents,", len(policies), "policies,", a.requests, "requests")
